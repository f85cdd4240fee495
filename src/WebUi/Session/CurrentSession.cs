using Grpc.Core;
using Microsoft.AspNetCore.Components;
using Perspective.Accounts.V1;

namespace Perspective.WebUi.Session;

/// <summary>
/// The signed-in user and their workspaces, loaded once per page load. When the sign-in has
/// expired, the browser is sent to the sign-in page and back to where it was.
/// </summary>
public sealed class CurrentSession(AccountService.AccountServiceClient accounts, NavigationManager navigation)
{
    // Bounds the walk through pages so a misbehaving server cannot keep the UI looping.
    private const int MaxPages = 20;

    private Task<SessionSnapshot>? loading;

    public Task<SessionSnapshot> LoadAsync() => loading ??= LoadOnceAsync();

    private async Task<SessionSnapshot> LoadOnceAsync()
    {
        try
        {
            var user = (await accounts.GetCurrentUserAsync(new GetCurrentUserRequest())).User;
            var workspaces = new List<Workspace>();
            var request = new ListMyWorkspacesRequest { PageSize = 100 };
            for (var page = 0; page < MaxPages; page++)
            {
                var response = await accounts.ListMyWorkspacesAsync(request);
                workspaces.AddRange(response.Workspaces);
                if (string.IsNullOrEmpty(response.NextPageToken))
                {
                    break;
                }

                request.PageToken = response.NextPageToken;
            }

            return new SessionSnapshot(user, workspaces, Error: null);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Unauthenticated)
        {
            SignInAgain();
            return new SessionSnapshot(null, [], "Your session has ended. Taking you to sign in…");
        }
        catch (RpcException e)
        {
            loading = null;
            return new SessionSnapshot(null, [], $"Could not load your account: {e.Status.Detail}");
        }
    }

    private void SignInAgain()
    {
        var returnUrl = "/" + navigation.ToBaseRelativePath(navigation.Uri);
        navigation.NavigateTo($"account/login?ReturnUrl={Uri.EscapeDataString(returnUrl)}", forceLoad: true);
    }
}

/// <summary>What the UI knows about the signed-in user; <see cref="Error"/> is set instead when loading failed.</summary>
public sealed record SessionSnapshot(User? User, IReadOnlyList<Workspace> Workspaces, string? Error);
