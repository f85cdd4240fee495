using Grpc.Core;
using Microsoft.AspNetCore.Components;
using Perspective.Accounts.V1;
using Perspective.WebUi.Lists;

namespace Perspective.WebUi.Session;

/// <summary>
/// The signed-in user and their workspaces, loaded once per page load. When the sign-in has
/// expired, the browser is sent to the sign-in page and back to where it was.
/// </summary>
public sealed class CurrentSession(AccountService.AccountServiceClient accounts, NavigationManager navigation)
{
    private Task<SessionSnapshot>? loading;

    public Task<SessionSnapshot> LoadAsync() => loading ??= LoadOnceAsync();

    private async Task<SessionSnapshot> LoadOnceAsync()
    {
        try
        {
            var user = (await accounts.GetCurrentUserAsync(new GetCurrentUserRequest())).User;
            var workspaces = await AllPages.ReadAsync(
                (pageSize, pageToken) => accounts.ListMyWorkspacesAsync(new ListMyWorkspacesRequest { PageSize = pageSize, PageToken = pageToken }).ResponseAsync,
                response => response.Workspaces,
                response => response.NextPageToken);

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

    private void SignInAgain() => navigation.NavigateTo(SignIn.Url(navigation), forceLoad: true);
}

/// <summary>What the UI knows about the signed-in user; <see cref="Error"/> is set instead when loading failed.</summary>
public sealed record SessionSnapshot(User? User, IReadOnlyList<Workspace> Workspaces, string? Error);
