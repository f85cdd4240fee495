using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.AspNetCore.Identity;
using Perspective.Activity.Reading;
using Perspective.Activity.Recording;
using Perspective.Activity.Storage;
using Perspective.Admin.V1;
using Perspective.Identity.Accounts;
using Perspective.Identity.ConnectedApps;
using Perspective.Identity.OAuth;
using Perspective.Identity.Workspaces;
using Perspective.Keys.Management;
using Perspective.Platform.Grpc;
using Perspective.Platform.Text;
using MembershipRole = Perspective.Identity.Workspaces.MembershipRole;

namespace Perspective.McpHost.Admin;

/// <summary>Operator actions over gRPC (grpcurl through reflection); every call is audited by <see cref="AdminAudit"/>.</summary>
internal sealed class AdminGrpcService(
    UserManager<PlatformUser> users,
    UserDirectory userDirectory,
    WorkspaceDirectory workspaces,
    McpKeyManager keys,
    ConnectedAppDirectory apps,
    AuditLog audit,
    ActivityReader activity) : AdminService.AdminServiceBase
{
    public override async Task<CreateUserResponse> CreateUser(CreateUserRequest request, ServerCallContext context)
    {
        AdminAudit.Target(context, $"email:{request.Email.Trim()}");
        var email = request.Email.Trim();
        var displayName = request.DisplayName.Trim();
        if (DisplayNameRules.RequiredProblem("display_name", displayName, PlatformUser.DisplayNameMaxLength) is { } problem)
        {
            GrpcErrors.InvalidArgument(problem);
        }

        if (!new System.ComponentModel.DataAnnotations.EmailAddressAttribute().IsValid(email) || email.Length > 256)
        {
            GrpcErrors.InvalidArgument("email must be an email address such as name@example.com.");
        }

        if (await users.FindByEmailAsync(email) is not null)
        {
            GrpcErrors.AlreadyExists($"An account with the email {email} already exists.");
        }

        var user = new PlatformUser { UserName = email, Email = email, EmailConfirmed = true, DisplayName = displayName };
        var result = await users.CreateAsync(user, request.Password);
        if (!result.Succeeded)
        {
            GrpcErrors.InvalidArgument(string.Join(" ", result.Errors.Select(e => e.Description)));
        }

        AdminAudit.Target(context, $"user:{user.Id} email:{email}");

        return new CreateUserResponse { User = MapToUser(user) };
    }

    public override async Task<ListUsersResponse> ListUsers(ListUsersRequest request, ServerCallContext context)
    {
        AdminAudit.Target(context, $"email_prefix:{request.EmailPrefix}");
        var page = Paging.Request(request.PageSize, request.PageToken, $"users:{request.EmailPrefix.ToUpperInvariant()}", PageTokenFormat.UniqueKey);
        var fetched = await userDirectory.ListAsync(request.EmailPrefix.Trim(), page.After, page.FetchCount, context.CancellationToken);

        var response = new ListUsersResponse { NextPageToken = page.NextPageToken(fetched, u => u.NormalizedEmail!) };
        response.Users.AddRange(page.Items(fetched).Select(MapToUser));
        return response;
    }

    public override async Task<CreateWorkspaceResponse> CreateWorkspace(CreateWorkspaceRequest request, ServerCallContext context)
    {
        AdminAudit.Target(context, $"slug:{request.Slug} owner:{request.OwnerUserId}");
        var workspace = await RuleAsync(() => workspaces.CreateWorkspaceAsync(request.Slug, request.Name, request.OwnerUserId, context.CancellationToken));
        AdminAudit.Target(context, $"workspace:{workspace.Id} slug:{workspace.Slug} owner:{request.OwnerUserId}");
        return new CreateWorkspaceResponse
        {
            Workspace = new Perspective.Admin.V1.Workspace
            {
                Id = workspace.Id.ToString(), Slug = workspace.Slug, Name = workspace.Name, MemberCount = 1,
                CreateTime = Timestamp.FromDateTime(workspace.CreateTime),
            },
        };
    }

    public override async Task<ListWorkspacesResponse> ListWorkspaces(ListWorkspacesRequest request, ServerCallContext context)
    {
        AdminAudit.Target(context, "workspaces");
        var page = Paging.Request(request.PageSize, request.PageToken, "admin-workspaces", PageTokenFormat.UniqueKey);
        var fetched = await workspaces.ListAllAsync(page.After, page.FetchCount, context.CancellationToken);

        var response = new ListWorkspacesResponse { NextPageToken = page.NextPageToken(fetched, w => w.Slug) };
        response.Workspaces.AddRange(page.Items(fetched).Select(w => new Perspective.Admin.V1.Workspace
        {
            Id = w.Id.ToString(), Slug = w.Slug, Name = w.Name, MemberCount = w.MemberCount, CreateTime = Timestamp.FromDateTime(w.CreateTime),
        }));
        return response;
    }

    public override async Task<AddMemberResponse> AddMember(AddMemberRequest request, ServerCallContext context)
    {
        AdminAudit.Target(context, $"workspace:{request.WorkspaceId} user:{request.UserId} role:{request.Role}");
        var workspaceId = WorkspaceId(request.WorkspaceId);
        var role = request.Role == Perspective.Admin.V1.MembershipRole.Owner ? MembershipRole.Owner : MembershipRole.Member;
        await RuleAsync(async () =>
        {
            await workspaces.AddMemberAsync(workspaceId, request.UserId, role, context.CancellationToken);
            return true;
        });
        return new AddMemberResponse();
    }

    public override async Task<RemoveMemberResponse> RemoveMember(RemoveMemberRequest request, ServerCallContext context)
    {
        AdminAudit.Target(context, $"workspace:{request.WorkspaceId} user:{request.UserId}");
        var workspaceId = WorkspaceId(request.WorkspaceId);
        await RuleAsync(async () =>
        {
            await workspaces.RemoveMemberAsync(workspaceId, request.UserId, context.CancellationToken);
            return true;
        });
        return new RemoveMemberResponse();
    }

    public override async Task<ListUserMcpKeysResponse> ListUserMcpKeys(ListUserMcpKeysRequest request, ServerCallContext context)
    {
        AdminAudit.Target(context, $"user:{request.UserId}");
        var page = Paging.Request(request.PageSize, request.PageToken, $"admin-keys:{request.UserId}", PageTokenFormat.NewestFirst);
        await RequireUserAsync(request.UserId);

        var fetched = await keys.ListAsync(request.UserId, page.After, page.FetchCount, context.CancellationToken);
        var response = new ListUserMcpKeysResponse { NextPageToken = page.NextPageToken(fetched, k => new NewestFirstCursor(k.CreateTime, k.Id)) };
        response.McpKeys.AddRange(page.Items(fetched).Select(k =>
        {
            var key = new Perspective.Admin.V1.McpKey
            {
                Id = k.Id, Name = k.Name, MaskedToken = k.MaskedToken, CreateTime = Timestamp.FromDateTime(k.CreateTime),
                LastUsedTime = k.LastUse.Time is { } used ? Timestamp.FromDateTime(used) : null,
                Access = k.Access == Perspective.Keys.Storage.KeyAccess.ReadOnly ? KeyAccess.ReadOnly : KeyAccess.ReadWrite,
                ExpireTime = k.ExpireTime is { } expires ? Timestamp.FromDateTime(expires) : null,
                Expired = k.Expired,
                LastUsedClient = k.LastUse.Client ?? "",
                LastUsedAddress = k.LastUse.Address ?? "",
            };
            key.WorkspaceIds.AddRange(k.Workspaces.Select(w => w.Id.ToString()));
            return key;
        }));
        return response;
    }

    public override async Task<RevokeMcpKeyResponse> RevokeMcpKey(RevokeMcpKeyRequest request, ServerCallContext context)
    {
        AdminAudit.Target(context, $"key:{request.KeyId}");
        if (request.KeyId.Length is 0 or > 64 || !await keys.DeleteAnyAsync(request.KeyId, context.CancellationToken))
        {
            GrpcErrors.NotFound("No MCP key has that id. It may already have been revoked.");
        }

        return new RevokeMcpKeyResponse();
    }

    public override async Task<RevokeLegacyTokenResponse> RevokeLegacyToken(RevokeLegacyTokenRequest request, ServerCallContext context)
    {
        AdminAudit.Target(context, $"user:{request.UserId}");
        await RequireUserAsync(request.UserId);
        if (!await keys.RevokeLegacyTokenAsync(request.UserId, context.CancellationToken))
        {
            GrpcErrors.NotFound("That user has no legacy token.");
        }

        return new RevokeLegacyTokenResponse();
    }

    public override async Task<ListUserConnectedAppsResponse> ListUserConnectedApps(ListUserConnectedAppsRequest request, ServerCallContext context)
    {
        AdminAudit.Target(context, $"user:{request.UserId}");
        var page = Paging.Request(request.PageSize, request.PageToken, $"admin-apps:{request.UserId}", PageTokenFormat.NewestFirst);
        await RequireUserAsync(request.UserId);

        var fetched = await apps.ListAsync(request.UserId, page.After, page.FetchCount, context.CancellationToken);
        var response = new ListUserConnectedAppsResponse { NextPageToken = page.NextPageToken(fetched, a => new NewestFirstCursor(a.ConnectTime, a.Id)) };
        response.ConnectedApps.AddRange(page.Items(fetched).Select(a =>
        {
            var app = new Perspective.Admin.V1.ConnectedApp
            {
                Id = a.Id, Name = a.Name, ClientId = a.ClientId, RedirectHost = a.RedirectHost, ConnectTime = Timestamp.FromDateTime(a.ConnectTime),
            };
            app.WorkspaceIds.AddRange(a.Workspaces.Select(w => w.Id.ToString()));
            return app;
        }));
        return response;
    }

    public override async Task<DisconnectConnectedAppResponse> DisconnectConnectedApp(DisconnectConnectedAppRequest request, ServerCallContext context)
    {
        AdminAudit.Target(context, $"user:{request.UserId} app:{request.ConnectedAppId}");
        if (request.ConnectedAppId.Length is 0 or > 100 ||
            !await apps.DisconnectAsync(request.UserId, request.ConnectedAppId, GrantRevocationReasons.Admin, context.CancellationToken))
        {
            GrpcErrors.NotFound("That user has no connected app with that id. It may already have been disconnected.");
        }

        return new DisconnectConnectedAppResponse();
    }

    public override async Task<ListAuditEventsResponse> ListAuditEvents(ListAuditEventsRequest request, ServerCallContext context)
    {
        AdminAudit.Target(context, "audit");
        var page = Paging.Request(request.PageSize, request.PageToken, "audit", PageTokenFormat.NewestFirst);
        var fetched = await audit.ListAsync(page.After, page.FetchCount, context.CancellationToken);

        var response = new ListAuditEventsResponse { NextPageToken = page.NextPageToken(fetched, e => new NewestFirstCursor(e.Time, e.Id)) };
        response.AuditEvents.AddRange(page.Items(fetched).Select(e => new Perspective.Admin.V1.AuditEvent
        {
            Id = e.Id, Actor = e.Actor, Action = e.Action, Target = e.Target, Outcome = e.Outcome, Time = Timestamp.FromDateTime(e.Time),
        }));
        return response;
    }

    public override async Task<ListMcpKeyActivityResponse> ListMcpKeyActivity(ListMcpKeyActivityRequest request, ServerCallContext context)
    {
        AdminAudit.Target(context, $"key:{request.KeyId}");
        if (request.KeyId.Length != 32 || !request.KeyId.All(char.IsAsciiHexDigitLower))
        {
            GrpcErrors.InvalidArgument("key_id must be a key id (32 lowercase hexadecimal digits), as ListUserMcpKeys returns it.");
        }

        var credential = new ActivityCredential(CredentialKinds.McpKey, request.KeyId);
        var page = Paging.Request(request.PageSize, request.PageToken, ActivityReader.ListName(credential), PageTokenFormat.NewestFirst);
        if (await keys.OwnerAsync(request.KeyId, context.CancellationToken) is null)
        {
            GrpcErrors.NotFound("No MCP key has that id. It may have been deleted.");
        }

        var read = await activity.ReadAsync(credential, page, workspaces.NamesAsync, context.CancellationToken);
        return new ListMcpKeyActivityResponse { ToolCalls = { read.ToolCalls }, DailyReads = { read.DailyReads }, NextPageToken = read.NextPageToken };
    }

    public override async Task<ListConnectedAppActivityResponse> ListConnectedAppActivity(ListConnectedAppActivityRequest request, ServerCallContext context)
    {
        AdminAudit.Target(context, $"user:{request.UserId} app:{request.ConnectedAppId}");
        if (!ConnectedAppDirectory.IsConnectedAppId(request.ConnectedAppId))
        {
            GrpcErrors.InvalidArgument("connected_app_id must be a connected app id, as ListUserConnectedApps returns it.");
        }

        var credential = new ActivityCredential(CredentialKinds.OAuth, request.ConnectedAppId);
        var page = Paging.Request(request.PageSize, request.PageToken, ActivityReader.ListName(credential), PageTokenFormat.NewestFirst);
        await RequireUserAsync(request.UserId);
        if (!await apps.IsConnectedAsync(request.UserId, request.ConnectedAppId, context.CancellationToken))
        {
            GrpcErrors.NotFound("That user has no connected app with that id. It may have been disconnected.");
        }

        var read = await activity.ReadAsync(credential, page, workspaces.NamesAsync, context.CancellationToken);
        return new ListConnectedAppActivityResponse { ToolCalls = { read.ToolCalls }, DailyReads = { read.DailyReads }, NextPageToken = read.NextPageToken };
    }

    private async Task RequireUserAsync(string userId)
    {
        if (userId.Length is 0 or > 64 || await users.FindByIdAsync(userId) is null)
        {
            GrpcErrors.NotFound("No user has that id. ListUsers shows the ids.");
        }
    }

    private static Guid WorkspaceId(string value) =>
        Guid.TryParse(value, out var id) ? id : throw GrpcErrors.Rpc(StatusCode.NotFound, "No workspace has that id. ListWorkspaces shows the ids.");

    private static async Task<T> RuleAsync<T>(Func<Task<T>> action)
    {
        try
        {
            return await action();
        }
        catch (WorkspaceRuleViolation violation)
        {
            throw GrpcErrors.Rpc(violation.Rule switch
            {
                WorkspaceRule.InvalidSlug or WorkspaceRule.InvalidName => StatusCode.InvalidArgument,
                WorkspaceRule.SlugTaken or WorkspaceRule.AlreadyMember => StatusCode.AlreadyExists,
                WorkspaceRule.UnknownWorkspace or WorkspaceRule.UnknownUser or WorkspaceRule.NotMember => StatusCode.NotFound,
                WorkspaceRule.LastOwner => StatusCode.FailedPrecondition,
                _ => StatusCode.Internal,
            }, violation.Message);
        }
    }

    private static Perspective.Admin.V1.User MapToUser(PlatformUser user) =>
        new() { Id = user.Id, Email = user.Email ?? "", DisplayName = user.DisplayName };
}
