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
    private const int DefaultPageSize = 50;
    private const int MaxPageSize = 100;

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
        var pageSize = Paging.PageSize(request.PageSize, DefaultPageSize, MaxPageSize);
        var position = Paging.DecodeToken(request.PageToken, WorkspacesList, positionLength: 2);
        var user = await CurrentUserAsync(context);

        var after = position is null ? null : new WorkspaceCursor(position[0], position[1]);
        var page = await workspaces.ListForMemberAsync(user.Id, after, pageSize + 1, context.CancellationToken);

        var response = new ListMyWorkspacesResponse();
        response.Workspaces.AddRange(page.Take(pageSize).Select(MapToWorkspace));
        if (page.Count > pageSize)
        {
            var last = page[pageSize - 1];
            response.NextPageToken = Paging.EncodeToken(WorkspacesList, last.Name, last.Slug);
        }

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
