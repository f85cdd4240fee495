using System.Net;
using System.Text.RegularExpressions;
using Perspective.Accounts.V1;
using Perspective.Admin.V1;
using Perspective.Connectedapps.V1;
using Perspective.Keys.V1;
using Perspective.Tests.Shared;
using Xunit.Abstractions;

namespace Perspective.EndToEndTests.ScaleOut;

/// <summary>What an operator gets from several hosts on one PostgreSQL: the same product on every host.</summary>
[Collection(ScaleOutCollection.Name)]
public sealed class TwoHostTests(TwoHosts hosts, ITestOutputHelper output) : IClassFixture<TwoHosts>
{
    private const string Password = "Scale-out-password-1";

    [Fact]
    public async Task Hosts_started_together_on_an_empty_database_share_one_schema_and_one_seed()
    {
        // Both came up (the fixture waited for /healthz); the demo data was seeded exactly once.
        var printedLegacyTokens = new[] { hosts.A.Output, hosts.B.Output }.Sum(o => Regex.Matches(o, "Demo legacy token for").Count);
        Assert.Equal(1, printedLegacyTokens);
        foreach (var host in new[] { hosts.A, hosts.B })
        {
            using var http = new HttpClient();
            Assert.Equal("""{"status":"Healthy","database":{"provider":"Postgres","status":"Healthy"}}""", await http.GetStringAsync($"{host.BaseUrl}/healthz"));
            using var demo = await PlatformApi.SignInAsync(host, DemoAccounts.Email, DemoAccounts.Password);
            Assert.Equal(2, (await demo.Accounts.ListMyWorkspacesAsync(new ListMyWorkspacesRequest())).Workspaces.Count);
        }
    }

    [Fact]
    public async Task A_browser_session_from_one_host_works_on_the_other()
    {
        var user = await NewUserWithWorkspaceAsync("session");
        using var onA = await PlatformApi.SignInAsync(hosts.A, user.Email, Password);
        using var onB = onA.On(hosts.B);

        var me = await onB.Accounts.GetCurrentUserAsync(new GetCurrentUserRequest());

        Assert.Equal(user.Email, me.User.Email);
    }

    [Fact]
    public async Task A_key_created_on_one_host_works_on_the_other_and_deleting_it_there_refuses_it_at_once()
    {
        var user = await NewUserWithWorkspaceAsync("key");
        using var onA = await PlatformApi.SignInAsync(hosts.A, user.Email, Password);
        var created = await onA.Keys.CreateMcpKeyAsync(new CreateMcpKeyRequest { Name = "Everywhere", WorkspaceIds = { user.WorkspaceId }, Access = McpKeyAccess.ReadWrite });

        Assert.True((await McpRequests.CallToolAsync(hosts.B.BaseUrl, created.Token, "workspace_list")).Served);

        var outcome = await RevocationProbe.RunAsync(
            async () => (await McpRequests.CallToolAsync(hosts.B.BaseUrl, created.Token, "workspace_list")).Served,
            async () => await onA.Keys.DeleteMcpKeyAsync(new DeleteMcpKeyRequest { KeyId = created.McpKey.Id }));

        output.WriteLine($"Key deleted on A, used on B: {outcome}");
        Assert.True(outcome.AllowedBefore > 0);
        Assert.True(outcome.StartedAfter >= 40);
        Assert.Equal(0, outcome.AllowedAfter);
        Assert.Equal(HttpStatusCode.Unauthorized, await McpRequests.ToolsListStatusAsync(hosts.B.BaseUrl, created.Token));
    }

    [Fact]
    public async Task Removing_a_membership_on_one_host_refuses_the_workspace_on_the_other_at_once()
    {
        var admin = await hosts.AdminAsync(hosts.A);
        var owner = await NewUserWithWorkspaceAsync("owner");
        var member = (await admin.CreateUserAsync(new CreateUserRequest { Email = Email("member"), DisplayName = "Member", Password = Password })).User;
        await admin.AddMemberAsync(new AddMemberRequest { WorkspaceId = owner.WorkspaceId, UserId = member.Id });
        using var memberOnA = await PlatformApi.SignInAsync(hosts.A, member.Email, Password);
        var token = (await memberOnA.Keys.CreateMcpKeyAsync(new CreateMcpKeyRequest { Name = "Shared workspace", WorkspaceIds = { owner.WorkspaceId }, Access = McpKeyAccess.ReadWrite })).Token;
        var arguments = new { workspace_id = owner.WorkspaceId };

        var outcome = await RevocationProbe.RunAsync(
            async () => (await McpRequests.CallToolAsync(hosts.B.BaseUrl, token, "perspective_list", arguments)).Served,
            async () => await admin.RemoveMemberAsync(new RemoveMemberRequest { WorkspaceId = owner.WorkspaceId, UserId = member.Id }));

        output.WriteLine($"Membership removed on A, workspace used on B: {outcome}");
        Assert.True(outcome.AllowedBefore > 0);
        Assert.True(outcome.StartedAfter >= 40);
        Assert.Equal(0, outcome.AllowedAfter);
    }

    [Fact]
    public async Task An_oauth_token_issued_by_one_host_works_on_the_other_and_disconnecting_there_refuses_it_at_once()
    {
        var user = await NewUserWithWorkspaceAsync("oauth");
        var token = await OAuthClientFlow.ConnectAsync(hosts.A.BaseUrl, "Scale-out client", user.Email, Password);

        Assert.True((await McpRequests.CallToolAsync(hosts.B.BaseUrl, token, "workspace_list")).Served);

        using var onA = await PlatformApi.SignInAsync(hosts.A, user.Email, Password);
        var app = Assert.Single((await onA.ConnectedApps.ListConnectedAppsAsync(new ListConnectedAppsRequest())).ConnectedApps);
        var outcome = await RevocationProbe.RunAsync(
            async () => (await McpRequests.CallToolAsync(hosts.B.BaseUrl, token, "workspace_list")).Served,
            async () => await onA.ConnectedApps.DisconnectConnectedAppAsync(new Perspective.Connectedapps.V1.DisconnectConnectedAppRequest { ConnectedAppId = app.Id }));

        output.WriteLine($"App disconnected on A, token used on B: {outcome}");
        Assert.True(outcome.AllowedBefore > 0);
        Assert.True(outcome.StartedAfter >= 40);
        Assert.Equal(0, outcome.AllowedAfter);
        Assert.Equal(HttpStatusCode.Unauthorized, await McpRequests.ToolsListStatusAsync(hosts.B.BaseUrl, token));
    }

    private static string Email(string name) => $"{name}-{Guid.NewGuid():N}"[..20] + "@scale-out.test";

    /// <summary>A user (created through B's admin service) who owns one workspace.</summary>
    private async Task<(string Email, string WorkspaceId)> NewUserWithWorkspaceAsync(string name)
    {
        var admin = await hosts.AdminAsync(hosts.B);
        var user = (await admin.CreateUserAsync(new CreateUserRequest { Email = Email(name), DisplayName = name, Password = Password })).User;
        var workspace = (await admin.CreateWorkspaceAsync(new CreateWorkspaceRequest
        {
            Slug = $"{name}-{Guid.NewGuid():N}"[..24], Name = name, OwnerUserId = user.Id,
        })).Workspace;
        return (user.Email, workspace.Id);
    }
}
