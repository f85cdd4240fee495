using Grpc.Core;
using Perspective.Keys.Tokens;
using Perspective.Keys.V1;

namespace Perspective.IntegrationTests.Keys;

/// <summary>A key's life through <c>McpKeyService</c>: created, listed page by page, deleted only by its owner, capped per user; and the connection info that goes with it.</summary>
public sealed class KeyLifecycleTests(PlatformFactory factory) : IClassFixture<PlatformFactory>
{
    private readonly KeyServiceUsers users = new(factory);

    [Theory]
    [MemberData(nameof(KeyServiceUsers.Transports), MemberType = typeof(KeyServiceUsers))]
    public async Task A_key_is_created_listed_with_a_masked_token_and_deleted(string transport)
    {
        var user = await users.NewAsync($"lifecycle-{transport}", transport);
        var workspace = await user.CreateWorkspaceAsync("Lifecycle");

        var created = await user.Keys.CreateMcpKeyAsync(new CreateMcpKeyRequest { Name = " Claude Desktop ", WorkspaceIds = { workspace }, Access = McpKeyAccess.ReadWrite });

        Assert.True(McpKeyToken.IsWellFormed(created.Token));
        Assert.Equal("Claude Desktop", created.McpKey.Name);
        Assert.Equal($"pmk_…{created.Token[^4..]}", created.McpKey.MaskedToken);
        Assert.Equal([(workspace, "Lifecycle", true)], created.McpKey.Workspaces.Select(w => (w.Id, w.Name, w.Reachable)));
        Assert.InRange(created.McpKey.CreateTime.ToDateTime(), DateTime.UtcNow.AddMinutes(-1), DateTime.UtcNow.AddMinutes(1));
        Assert.Null(created.McpKey.LastUsedTime);

        var listed = Assert.Single((await user.Keys.ListMcpKeysAsync(new ListMcpKeysRequest())).McpKeys);
        Assert.Equal(created.McpKey, listed);

        await user.Keys.DeleteMcpKeyAsync(new DeleteMcpKeyRequest { KeyId = created.McpKey.Id });

        Assert.Empty((await user.Keys.ListMcpKeysAsync(new ListMcpKeysRequest())).McpKeys);
        var again = await Assert.ThrowsAsync<RpcException>(() => user.Keys.DeleteMcpKeyAsync(new DeleteMcpKeyRequest { KeyId = created.McpKey.Id }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, again.StatusCode);
    }

    [Fact]
    public async Task Keys_are_listed_newest_first_page_by_page()
    {
        var user = await users.NewAsync("pages", "grpc-web");
        var workspace = await user.CreateWorkspaceAsync("Pages");
        foreach (var name in new[] { "First", "Second", "Third" })
        {
            await user.Keys.CreateMcpKeyAsync(new CreateMcpKeyRequest { Name = name, WorkspaceIds = { workspace }, Access = McpKeyAccess.ReadWrite });
        }

        var first = await user.Keys.ListMcpKeysAsync(new ListMcpKeysRequest { PageSize = 2 });
        var second = await user.Keys.ListMcpKeysAsync(new ListMcpKeysRequest { PageSize = 2, PageToken = first.NextPageToken });

        Assert.Equal(["Third", "Second"], first.McpKeys.Select(k => k.Name));
        Assert.Equal(["First"], second.McpKeys.Select(k => k.Name));
        Assert.Empty(second.NextPageToken);
        var badToken = await Assert.ThrowsAsync<RpcException>(() => user.Keys.ListMcpKeysAsync(new ListMcpKeysRequest { PageToken = "nope" }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, badToken.StatusCode);
    }

    [Fact]
    public async Task Another_users_key_an_unknown_id_and_a_malformed_id_are_not_found()
    {
        var owner = await users.NewAsync("owner", "grpc");
        var stranger = await users.NewAsync("stranger", "grpc");
        var workspace = await owner.CreateWorkspaceAsync("Owned");
        var key = (await owner.Keys.CreateMcpKeyAsync(new CreateMcpKeyRequest { Name = "Mine", WorkspaceIds = { workspace }, Access = McpKeyAccess.ReadWrite })).McpKey;

        foreach (var id in new[] { key.Id, Guid.CreateVersion7().ToString("N"), "not-an-id", "", key.Id.ToUpperInvariant() })
        {
            var error = await Assert.ThrowsAsync<RpcException>(() => stranger.Keys.DeleteMcpKeyAsync(new DeleteMcpKeyRequest { KeyId = id }).ResponseAsync);
            Assert.Equal(StatusCode.NotFound, error.StatusCode);
        }

        Assert.Single((await owner.Keys.ListMcpKeysAsync(new ListMcpKeysRequest())).McpKeys);
    }

    [Fact]
    public async Task A_user_cannot_hold_more_keys_than_the_configured_cap()
    {
        using var capped = factory.WithWebHostBuilder(builder => builder.UseSetting("Keys:MaxKeysPerUser", "2"));
        var user = await users.NewAsync("capped", "grpc", capped);
        var workspace = await user.CreateWorkspaceAsync("Capped");
        await user.Keys.CreateMcpKeyAsync(new CreateMcpKeyRequest { Name = "One", WorkspaceIds = { workspace }, Access = McpKeyAccess.ReadWrite });
        await user.Keys.CreateMcpKeyAsync(new CreateMcpKeyRequest { Name = "Two", WorkspaceIds = { workspace }, Access = McpKeyAccess.ReadWrite });

        var error = await user.CreateFailsAsync("Three", workspace);

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Contains("Delete keys you no longer use", error.Status.Detail);
    }

    [Fact]
    public async Task Connection_info_names_the_public_mcp_endpoint_and_the_header_form()
    {
        var user = await users.NewAsync("connection", "grpc-web");

        var info = await user.Keys.GetMcpConnectionInfoAsync(new GetMcpConnectionInfoRequest());

        Assert.Equal($"{PlatformFactory.PublicBaseUrl}/mcp", info.McpEndpointUrl);
        Assert.Equal("Authorization: Bearer <your-token>", $"{info.AuthorizationHeaderName}: {info.AuthorizationHeaderValueTemplate}");
        Assert.Equal("<your-token>", info.TokenPlaceholder);
    }
}
