using Grpc.Core;
using Microsoft.AspNetCore.Identity;
using Perspective.Accounts.V1;
using Perspective.Identity.Grpc;
using Perspective.Identity.Workspaces;
using Perspective.Platform.Grpc;

namespace Perspective.Identity.Accounts;

/// <summary>Who the signed-in user is and which workspaces they belong to.</summary>
internal sealed class AccountGrpcService(UserManager<PlatformUser> users, WorkspaceDirectory workspaces)
    : AccountService.AccountServiceBase
{
    private const string WorkspacesList = "workspaces";

    // Ordered by name, then slug (unique).
    private static readonly PageTokenFormat<WorkspaceCursor> ByNameAndSlug = new(
        2, cursor => [cursor.Name, cursor.Slug], position => new WorkspaceCursor(position[0], position[1]));

    public override async Task<GetCurrentUserResponse> GetCurrentUser(GetCurrentUserRequest request, ServerCallContext context)
    {
        var user = await CurrentUserAsync(context);
        return new GetCurrentUserResponse
        {
            User = new User { Id = user.Id, Email = user.Email ?? "", DisplayName = user.DisplayName },
        };
    }

    public override async Task<ListMyWorkspacesResponse> ListMyWorkspaces(ListMyWorkspacesRequest request, ServerCallContext context)
    {
        var page = Paging.Request(request.PageSize, request.PageToken, WorkspacesList, ByNameAndSlug);
        var user = await CurrentUserAsync(context);

        var fetched = await workspaces.ListForMemberAsync(user.Id, page.After, page.FetchCount, context.CancellationToken);
        var response = new ListMyWorkspacesResponse { NextPageToken = page.NextPageToken(fetched, w => new WorkspaceCursor(w.Name, w.Slug)) };
        response.Workspaces.AddRange(page.Items(fetched).Select(MapToWorkspace));
        return response;
    }

    private async Task<PlatformUser> CurrentUserAsync(ServerCallContext context)
    {
        var user = await users.FindByIdAsync(context.RequireUserId());
        if (user is null)
        {
            GrpcErrors.Unauthenticated("Your account is no longer available. Sign in again.");
        }

        return user;
    }

    private static Perspective.Accounts.V1.Workspace MapToWorkspace(MemberWorkspace workspace) => new()
    {
        Id = workspace.Id.ToString(),
        Slug = workspace.Slug,
        Name = workspace.Name,
        Role = workspace.Role switch
        {
            MembershipRole.Owner => WorkspaceRole.Owner,
            MembershipRole.Member => WorkspaceRole.Member,
            _ => WorkspaceRole.Unspecified,
        },
    };
}
