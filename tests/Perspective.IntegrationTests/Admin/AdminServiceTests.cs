using System.Net;
using System.Text.Json;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OpenIddict.Abstractions;
using Perspective.Admin.V1;
using Perspective.Identity.OAuth;
using Perspective.Identity.Seeding;
using CreateMcpKeyRequest = Perspective.Keys.V1.CreateMcpKeyRequest;
using McpKeyService = Perspective.Keys.V1.McpKeyService;
using Metadata = Grpc.Core.Metadata;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Perspective.IntegrationTests.Admin;

public sealed class AdminServiceTests(PlatformFactory factory) : IClassFixture<PlatformFactory>
{
    private const string Password = "Admin-made-password-1";

    [Fact]
    public async Task The_admin_client_gets_a_token_with_client_credentials_and_lists_users()
    {
        var admin = await AdminAsync();

        var everyone = await admin.ListUsersAsync(new ListUsersRequest());
        var demoOnly = await admin.ListUsersAsync(new ListUsersRequest { EmailPrefix = "DEMO@" });

        Assert.Contains(everyone.Users, u => u.Email == DemoSeed.DemoEmail);
        Assert.Equal([DemoSeed.DemoEmail], demoOnly.Users.Select(u => u.Email));
    }

    [Fact]
    public async Task Users_are_listed_page_by_page()
    {
        var admin = await AdminAsync();
        foreach (var name in new[] { "page-a", "page-b", "page-c" })
        {
            await admin.CreateUserAsync(new CreateUserRequest { Email = $"{name}@paging.example", DisplayName = name, Password = Password });
        }

        var first = await admin.ListUsersAsync(new ListUsersRequest { EmailPrefix = "page-", PageSize = 2 });
        var second = await admin.ListUsersAsync(new ListUsersRequest { EmailPrefix = "page-", PageSize = 2, PageToken = first.NextPageToken });

        Assert.Equal(["page-a@paging.example", "page-b@paging.example", "page-c@paging.example"], first.Users.Concat(second.Users).Select(u => u.Email));
        Assert.Empty(second.NextPageToken);
    }

    public static TheoryData<string> Refused => ["none", "cookie", "mcp-key", "user-oauth-token"];

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task Nothing_but_an_admin_token_reaches_the_admin_service(string credential)
    {
        var headers = new Metadata();
        var cookies = new CookieContainer();
        switch (credential)
        {
            case "cookie":
                cookies = await factory.SignInAsync(DemoSeed.DemoEmail, DemoSeed.DemoPassword);
                break;
            case "mcp-key":
                headers.Add("authorization", $"Bearer {await DemoKeyAsync("Admin attempt")}");
                break;
            case "user-oauth-token":
                var oauth = new OAuthTestClient(factory, await factory.SignInAsync(DemoSeed.DemoEmail, DemoSeed.DemoPassword));
                headers.Add("authorization", $"Bearer {(await oauth.ConnectAsync()).AccessToken}");
                break;
        }

        var admin = new AdminService.AdminServiceClient(factory.CreateGrpcChannel(cookies));
        var before = DateTime.UtcNow.AddSeconds(-1);
        var error = await Assert.ThrowsAsync<RpcException>(() => admin.ListUsersAsync(new ListUsersRequest(), headers).ResponseAsync);

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.Contains("admin scope", error.Status.Detail);
        Assert.Contains(await StoredAuditEventsAsync(before), e =>
            (e.Actor, e.Action, e.Outcome) == (McpHost.Admin.AdminAudit.Unauthenticated, "ListUsers", "UNAUTHENTICATED"));
    }

    [Fact]
    public async Task A_management_token_without_the_admin_scope_is_permission_denied()
    {
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var applications = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
            var descriptor = new OpenIddictApplicationDescriptor
            {
                ClientId = "not-an-admin", ClientSecret = "not-an-admin-secret", ClientType = ClientTypes.Confidential,
            };
            descriptor.Permissions.UnionWith([Permissions.Endpoints.Token, Permissions.GrantTypes.ClientCredentials, Permissions.Prefixes.Scope + OAuthScopes.Management]);
            descriptor.AddResourcePermissions(OAuthScopes.ManagementResource);
            await applications.CreateAsync(descriptor);
        }

        var token = await ClientCredentialsTokenAsync("not-an-admin", "not-an-admin-secret", OAuthScopes.Management);
        var admin = new AdminService.AdminServiceClient(factory.CreateGrpcChannel());
        var before = DateTime.UtcNow.AddSeconds(-1);
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            admin.RemoveMemberAsync(new RemoveMemberRequest { WorkspaceId = Guid.NewGuid().ToString(), UserId = "u" }, new Metadata { { "authorization", $"Bearer {token}" } }).ResponseAsync);

        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
        Assert.Contains(await StoredAuditEventsAsync(before), e => (e.Actor, e.Action, e.Outcome) == ("not-an-admin", "RemoveMember", "PERMISSION_DENIED"));
    }

    [Fact]
    public async Task Failed_admin_calls_and_listing_the_audit_log_are_audited_too()
    {
        var admin = await AdminAsync();
        var before = DateTime.UtcNow.AddSeconds(-1);
        var unknownKey = $"no-such-key-{Guid.NewGuid():N}";

        var error = await FailsAsync(admin.RevokeMcpKeyAsync(new RevokeMcpKeyRequest { KeyId = unknownKey }));
        await admin.ListAuditEventsAsync(new ListAuditEventsRequest { PageSize = 1 });

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        var events = await StoredAuditEventsAsync(before);
        Assert.Contains(events, e => (e.Actor, e.Action, e.Target, e.Outcome) == (PlatformFactory.AdminClientId, "RevokeMcpKey", $"key:{unknownKey}", "NOT_FOUND"));
        Assert.Contains(events, e => (e.Actor, e.Action, e.Outcome) == (PlatformFactory.AdminClientId, "ListAuditEvents", "OK"));
        var listed = (await admin.ListAuditEventsAsync(new ListAuditEventsRequest { PageSize = 100 })).AuditEvents;
        Assert.Contains(listed, e => e.Target == $"key:{unknownKey}" && e.Outcome == "NOT_FOUND");
    }

    [Theory]
    [InlineData(StatusCode.OK, "OK")]
    [InlineData(StatusCode.NotFound, "NOT_FOUND")]
    [InlineData(StatusCode.PermissionDenied, "PERMISSION_DENIED")]
    [InlineData(StatusCode.ResourceExhausted, "RESOURCE_EXHAUSTED")]
    public void Outcomes_use_the_grpc_status_names(StatusCode status, string name) =>
        Assert.Equal(name, McpHost.Admin.AdminAudit.Outcome(status));

    /// <summary>Audit events since <paramref name="since"/>, read from the store (listing through the API would add one).</summary>
    private async Task<List<McpHost.Admin.AuditEvent>> StoredAuditEventsAsync(DateTime since)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var events = await scope.ServiceProvider.GetRequiredService<McpHost.Admin.AdminDataContext>().AuditEvents.AsNoTracking().ToListAsync();
        return events.Where(e => e.Time >= since).ToList();
    }

    [Fact]
    public async Task The_admin_client_cannot_ask_for_scopes_it_was_not_given()
    {
        using var http = factory.CreateClient();

        using var response = await http.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials", ["client_id"] = PlatformFactory.AdminClientId, ["client_secret"] = PlatformFactory.AdminClientSecret, ["scope"] = "mcp",
        }));

        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("not allowed to use the specified scope", body.GetProperty("error_description").GetString());
    }

    [Fact]
    public async Task Creating_users_follows_the_rules()
    {
        var admin = await AdminAsync();

        var created = (await admin.CreateUserAsync(new CreateUserRequest { Email = "new.person@example.com", DisplayName = "New Person", Password = Password })).User;
        var duplicate = await FailsAsync(admin.CreateUserAsync(new CreateUserRequest { Email = "NEW.person@example.com", DisplayName = "Again", Password = Password }));
        var badEmail = await FailsAsync(admin.CreateUserAsync(new CreateUserRequest { Email = "not-an-email", DisplayName = "X", Password = Password }));
        var weak = await FailsAsync(admin.CreateUserAsync(new CreateUserRequest { Email = "weak@example.com", DisplayName = "Weak", Password = "short" }));
        var noName = await FailsAsync(admin.CreateUserAsync(new CreateUserRequest { Email = "noname@example.com", DisplayName = " ", Password = Password }));

        Assert.Equal(("new.person@example.com", "New Person"), (created.Email, created.DisplayName));
        await factory.SignInAsync("new.person@example.com", Password);
        Assert.Equal(StatusCode.AlreadyExists, duplicate.StatusCode);
        Assert.Equal(StatusCode.InvalidArgument, badEmail.StatusCode);
        Assert.Equal(StatusCode.InvalidArgument, weak.StatusCode);
        Assert.Contains("Passwords must be at least 12 characters", weak.Status.Detail);
        Assert.Equal(StatusCode.InvalidArgument, noName.StatusCode);
    }

    [Fact]
    public async Task Workspaces_and_memberships_follow_the_rules()
    {
        var admin = await AdminAsync();
        var owner = await NewUserAsync(admin, "ws-owner@example.com");
        var member = await NewUserAsync(admin, "ws-member@example.com");

        var workspace = (await admin.CreateWorkspaceAsync(new CreateWorkspaceRequest { Slug = "admin-made", Name = "Admin Made", OwnerUserId = owner.Id })).Workspace;
        var taken = await FailsAsync(admin.CreateWorkspaceAsync(new CreateWorkspaceRequest { Slug = "admin-made", Name = "Again", OwnerUserId = owner.Id }));
        var noOwner = await FailsAsync(admin.CreateWorkspaceAsync(new CreateWorkspaceRequest { Slug = "orphan", Name = "Orphan", OwnerUserId = "nobody" }));
        var badSlug = await FailsAsync(admin.CreateWorkspaceAsync(new CreateWorkspaceRequest { Slug = "Bad Slug", Name = "Bad", OwnerUserId = owner.Id }));
        await admin.AddMemberAsync(new AddMemberRequest { WorkspaceId = workspace.Id, UserId = member.Id });
        var again = await FailsAsync(admin.AddMemberAsync(new AddMemberRequest { WorkspaceId = workspace.Id, UserId = member.Id }));
        var unknownWorkspace = await FailsAsync(admin.AddMemberAsync(new AddMemberRequest { WorkspaceId = Guid.NewGuid().ToString(), UserId = member.Id }));
        var lastOwner = await FailsAsync(admin.RemoveMemberAsync(new RemoveMemberRequest { WorkspaceId = workspace.Id, UserId = owner.Id }));
        await admin.RemoveMemberAsync(new RemoveMemberRequest { WorkspaceId = workspace.Id, UserId = member.Id });
        var notMember = await FailsAsync(admin.RemoveMemberAsync(new RemoveMemberRequest { WorkspaceId = workspace.Id, UserId = member.Id }));

        Assert.Equal((StatusCode.AlreadyExists, StatusCode.NotFound, StatusCode.InvalidArgument), (taken.StatusCode, noOwner.StatusCode, badSlug.StatusCode));
        Assert.Equal((StatusCode.AlreadyExists, StatusCode.NotFound), (again.StatusCode, unknownWorkspace.StatusCode));
        Assert.Equal(StatusCode.FailedPrecondition, lastOwner.StatusCode);
        Assert.Contains("last owner", lastOwner.Status.Detail);
        Assert.Equal(StatusCode.NotFound, notMember.StatusCode);
        var listed = await AllWorkspacesAsync(admin);
        Assert.Equal(1, listed.Single(w => w.Slug == "admin-made").MemberCount);
    }

    [Fact]
    public async Task Removing_a_member_takes_the_workspace_from_their_key_at_once()
    {
        var admin = await AdminAsync();
        var (token, workspaces) = await DemoKeyWithWorkspacesAsync("Removed by admin", "acme-research", "northwind-product");
        await using var client = await McpTestClient.ConnectAsync(factory, token);
        var demo = (await admin.ListUsersAsync(new ListUsersRequest { EmailPrefix = "demo@" })).Users.Single();
        Assert.Equal(2, (await client.CallAsync("workspace_list")).GetProperty("workspaces").GetArrayLength());

        await admin.RemoveMemberAsync(new RemoveMemberRequest { WorkspaceId = workspaces["northwind-product"], UserId = demo.Id });
        try
        {
            var slugs = (await client.CallAsync("workspace_list")).GetProperty("workspaces").EnumerateArray().Select(w => w.GetProperty("slug").GetString());
            Assert.Equal(["acme-research"], slugs);
        }
        finally
        {
            await admin.AddMemberAsync(new AddMemberRequest { WorkspaceId = workspaces["northwind-product"], UserId = demo.Id });
        }
    }

    [Fact]
    public async Task Keys_are_listed_masked_and_revoking_one_refuses_its_next_request()
    {
        var admin = await AdminAsync();
        var token = await DemoKeyAsync("Revoked by admin");
        var demo = (await admin.ListUsersAsync(new ListUsersRequest { EmailPrefix = "demo@" })).Users.Single();

        var key = (await admin.ListUserMcpKeysAsync(new ListUserMcpKeysRequest { UserId = demo.Id })).McpKeys.Single(k => k.Name == "Revoked by admin");
        Assert.Equal($"pmk_…{token[^4..]}", key.MaskedToken);
        await admin.RevokeMcpKeyAsync(new RevokeMcpKeyRequest { KeyId = key.Id });

        Assert.Equal(HttpStatusCode.Unauthorized, await McpTestClient.StatusAsync(factory, $"Bearer {token}"));
        Assert.Equal(StatusCode.NotFound, (await FailsAsync(admin.RevokeMcpKeyAsync(new RevokeMcpKeyRequest { KeyId = key.Id }))).StatusCode);
        Assert.Equal(StatusCode.NotFound, (await FailsAsync(admin.ListUserMcpKeysAsync(new ListUserMcpKeysRequest { UserId = "nobody" }))).StatusCode);
    }

    [Fact]
    public async Task The_legacy_token_and_connected_apps_are_revoked_for_a_user()
    {
        var admin = await AdminAsync();
        var user = await NewUserAsync(admin, "legacy-and-apps@example.com");
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<Perspective.Keys.Storage.KeysDataContext>();
            db.LegacyTokens.Add(new Perspective.Keys.Storage.LegacyToken { UserId = user.Id, TokenHash = new byte[32], TokenHint = "abcd", CreateTime = DateTime.UtcNow });
            await db.SaveChangesAsync();
        }

        await admin.RevokeLegacyTokenAsync(new RevokeLegacyTokenRequest { UserId = user.Id });
        Assert.Equal(StatusCode.NotFound, (await FailsAsync(admin.RevokeLegacyTokenAsync(new RevokeLegacyTokenRequest { UserId = user.Id }))).StatusCode);

        var oauth = new OAuthTestClient(factory, await factory.SignInAsync(DemoSeed.DemoEmail, DemoSeed.DemoPassword));
        var (clientId, accessToken, _) = await oauth.ConnectAsync();
        var demo = (await admin.ListUsersAsync(new ListUsersRequest { EmailPrefix = "demo@" })).Users.Single();
        var app = (await admin.ListUserConnectedAppsAsync(new ListUserConnectedAppsRequest { UserId = demo.Id })).ConnectedApps.Single(a => a.ClientId == clientId);
        await admin.DisconnectConnectedAppAsync(new DisconnectConnectedAppRequest { UserId = demo.Id, ConnectedAppId = app.Id });

        Assert.Equal(HttpStatusCode.Unauthorized, await McpTestClient.StatusAsync(factory, $"Bearer {accessToken}"));
        Assert.Equal(Identity.OAuth.GrantRevocationReasons.Admin, (await factory.GrantOfClientAsync(clientId)).Revocation?.Reason);
    }

    [Fact]
    public async Task An_app_an_administrator_disconnects_is_listed_to_its_user_as_disconnected_by_an_administrator()
    {
        var admin = await AdminAsync();
        var cookies = await factory.SignInAsync(DemoSeed.DemoEmail, DemoSeed.DemoPassword);
        var (clientId, _, _) = await new OAuthTestClient(factory, cookies).ConnectAsync();
        var demo = (await admin.ListUsersAsync(new ListUsersRequest { EmailPrefix = "demo@" })).Users.Single();
        var app = (await admin.ListUserConnectedAppsAsync(new ListUserConnectedAppsRequest { UserId = demo.Id })).ConnectedApps.Single(a => a.ClientId == clientId);

        await admin.DisconnectConnectedAppAsync(new DisconnectConnectedAppRequest { UserId = demo.Id, ConnectedAppId = app.Id });

        var apps = new Connectedapps.V1.ConnectedAppService.ConnectedAppServiceClient(factory.CreateGrpcChannel(cookies));
        var listed = (await apps.ListDisconnectedAppsAsync(new Connectedapps.V1.ListDisconnectedAppsRequest { PageSize = 100 })).DisconnectedApps;
        Assert.Equal(Connectedapps.V1.DisconnectReason.Admin, listed.Single(a => a.ClientId == clientId).Reason);
    }

    [Fact]
    public async Task Every_admin_action_is_audited_without_credentials()
    {
        var admin = await AdminAsync();
        var token = await DemoKeyAsync("Audited key");
        var demo = (await admin.ListUsersAsync(new ListUsersRequest { EmailPrefix = "demo@" })).Users.Single();
        var key = (await admin.ListUserMcpKeysAsync(new ListUserMcpKeysRequest { UserId = demo.Id })).McpKeys.Single(k => k.Name == "Audited key");
        await admin.RevokeMcpKeyAsync(new RevokeMcpKeyRequest { KeyId = key.Id });

        var events = (await admin.ListAuditEventsAsync(new ListAuditEventsRequest { PageSize = 100 })).AuditEvents;

        var revoke = events.First(e => e.Action == "RevokeMcpKey" && e.Target == $"key:{key.Id}");
        Assert.Equal((PlatformFactory.AdminClientId, "OK"), (revoke.Actor, revoke.Outcome));
        Assert.Contains(events, e => e.Action == "ListUserMcpKeys" && e.Target == $"user:{demo.Id}");
        Assert.True(events.IndexOf(revoke) < events.IndexOf(events.First(e => e.Action == "ListUserMcpKeys")), "Newest first.");
        Assert.DoesNotContain(events, e => e.Target.Contains(token[4..20], StringComparison.Ordinal));
        var page = await admin.ListAuditEventsAsync(new ListAuditEventsRequest { PageSize = 1 });
        Assert.Single(page.AuditEvents);
        Assert.NotEmpty(page.NextPageToken);
    }

    private async Task<AdminService.AdminServiceClient> AdminAsync()
    {
        var token = await ClientCredentialsTokenAsync(PlatformFactory.AdminClientId, PlatformFactory.AdminClientSecret, OAuthScopes.Admin);
        var channel = Grpc.Net.Client.GrpcChannel.ForAddress(factory.Server.BaseAddress, new Grpc.Net.Client.GrpcChannelOptions
        {
            HttpHandler = factory.Server.CreateHandler(),
            Credentials = ChannelCredentials.Create(ChannelCredentials.SecureSsl, CallCredentials.FromInterceptor((_, metadata) =>
            {
                metadata.Add("authorization", $"Bearer {token}");
                return Task.CompletedTask;
            })),
        });
        return new AdminService.AdminServiceClient(channel);
    }

    private async Task<string> ClientCredentialsTokenAsync(string clientId, string secret, string scope)
    {
        using var http = factory.CreateClient();
        using var response = await http.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials", ["client_id"] = clientId, ["client_secret"] = secret, ["scope"] = scope,
        }));
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.True(response.IsSuccessStatusCode, body.ToString());
        return body.GetProperty("access_token").GetString()!;
    }

    private static async Task<Perspective.Admin.V1.User> NewUserAsync(AdminService.AdminServiceClient admin, string email) =>
        (await admin.CreateUserAsync(new CreateUserRequest { Email = email, DisplayName = email, Password = Password })).User;

    private static async Task<List<Perspective.Admin.V1.Workspace>> AllWorkspacesAsync(AdminService.AdminServiceClient admin)
    {
        var all = new List<Perspective.Admin.V1.Workspace>();
        var request = new ListWorkspacesRequest { PageSize = 2 };
        for (var page = 0; page < 100; page++)
        {
            var response = await admin.ListWorkspacesAsync(request);
            all.AddRange(response.Workspaces);
            if (response.NextPageToken == "")
            {
                return all;
            }

            request.PageToken = response.NextPageToken;
        }

        throw new InvalidOperationException("The workspace list did not end.");
    }

    private async Task<string> DemoKeyAsync(string name) => (await DemoKeyWithWorkspacesAsync(name, "acme-research")).Token;

    private Task<(string Token, Dictionary<string, string> Workspaces)> DemoKeyWithWorkspacesAsync(string name, params string[] slugs) =>
        factory.CreateDemoKeyAsync(name, slugs);


    private static async Task<RpcException> FailsAsync<T>(AsyncUnaryCall<T> call) =>
        await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync);
}
