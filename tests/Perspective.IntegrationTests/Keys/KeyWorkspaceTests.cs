using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Perspective.Accounts.V1;
using Perspective.Identity.Seeding;
using Perspective.Identity.Storage;
using Perspective.Identity.Workspaces;
using Perspective.Keys.V1;

namespace Perspective.IntegrationTests.Keys;

/// <summary>The workspaces a key reaches: at least one, only the user's own, repeated ids once, and marked once the user left one.</summary>
public sealed class KeyWorkspaceTests(PlatformFactory factory) : IClassFixture<PlatformFactory>
{
    private readonly KeyServiceUsers users = new(factory);

    [Fact]
    public async Task A_key_needs_at_least_one_workspace()
    {
        var user = await users.NewAsync("no-workspace", "grpc");

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            user.Keys.CreateMcpKeyAsync(new CreateMcpKeyRequest { Name = "Nowhere", Access = McpKeyAccess.ReadWrite }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("at least one workspace", error.Status.Detail);
        Assert.Equal("workspace_ids", error.Field());
    }

    [Fact]
    public async Task A_malformed_workspace_id_is_an_invalid_argument()
    {
        var user = await users.NewAsync("malformed-workspace", "grpc");
        var workspace = await user.CreateWorkspaceAsync("Malformed");

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            user.Keys.CreateMcpKeyAsync(new CreateMcpKeyRequest { Name = "Bad id", WorkspaceIds = { workspace, "acme" }, Access = McpKeyAccess.ReadWrite }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("workspace_ids[1]", error.Status.Detail);
    }

    [Theory]
    [MemberData(nameof(KeyServiceUsers.Transports), MemberType = typeof(KeyServiceUsers))]
    public async Task Another_users_workspace_and_an_unknown_one_are_refused_alike(string transport)
    {
        var demo = await users.DemoAsync(transport);
        var demoWorkspace = (await new AccountService.AccountServiceClient(demo.Channel).ListMyWorkspacesAsync(new ListMyWorkspacesRequest())).Workspaces[0].Id;
        string third;
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            third = (await scope.ServiceProvider.GetRequiredService<IdentityDataContext>().Workspaces
                .SingleAsync(w => w.Slug == DemoSeed.OtherWorkspace.Slug)).Id.ToString();
        }

        var notMine = await demo.CreateFailsAsync($"Third {transport}", demoWorkspace, third);
        var unknown = await demo.CreateFailsAsync($"Unknown {transport}", demoWorkspace, Guid.NewGuid().ToString());

        Assert.Equal(StatusCode.PermissionDenied, notMine.StatusCode);
        Assert.Equal("workspace_ids", notMine.Field());
        Assert.Equal((notMine.StatusCode, notMine.Status.Detail), (unknown.StatusCode, unknown.Status.Detail));
        Assert.DoesNotContain((await demo.Keys.ListMcpKeysAsync(new ListMcpKeysRequest())).McpKeys, k => k.Name.EndsWith(transport, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Repeated_workspace_ids_count_once()
    {
        var user = await users.NewAsync("repeated", "grpc");
        var workspace = await user.CreateWorkspaceAsync("Repeated");

        var created = await user.Keys.CreateMcpKeyAsync(new CreateMcpKeyRequest { Name = "Twice", WorkspaceIds = { workspace, workspace.ToUpperInvariant() }, Access = McpKeyAccess.ReadWrite });

        Assert.Single(created.McpKey.Workspaces);
    }

    [Fact]
    public async Task A_workspace_the_user_left_is_shown_as_no_longer_reachable()
    {
        var user = await users.NewAsync("leaver", "grpc");
        var host = await users.NewAsync("host", "grpc");
        var own = await user.CreateWorkspaceAsync("Own");
        var visited = await host.CreateWorkspaceAsync("Visited");
        await factory.WithWorkspacesAsync(async w => { await w.AddMemberAsync(Guid.Parse(visited), user.Id, MembershipRole.Member); return 0; });
        await user.Keys.CreateMcpKeyAsync(new CreateMcpKeyRequest { Name = "Both", WorkspaceIds = { own, visited }, Access = McpKeyAccess.ReadWrite });

        await factory.WithWorkspacesAsync(async w => { await w.RemoveMemberAsync(Guid.Parse(visited), user.Id); return 0; });

        var key = Assert.Single((await user.Keys.ListMcpKeysAsync(new ListMcpKeysRequest())).McpKeys);
        Assert.Equal([("Own", true), ("Visited", false)], key.Workspaces.Select(w => (w.Name, w.Reachable)));
    }
}
