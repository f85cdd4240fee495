using System.Net;
using System.Text;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Perspective.Accounts.V1;
using Perspective.Identity.Seeding;
using Perspective.Identity.Storage;
using Perspective.Identity.Workspaces;
using Perspective.Keys.Storage;
using Perspective.Keys.Tokens;
using Perspective.Keys.V1;
using Perspective.Platform.Storage;

namespace Perspective.IntegrationTests;

public sealed class McpKeyServiceTests(PlatformFactory factory) : IClassFixture<PlatformFactory>
{
    private const string Password = "Keys-password-1";

    public static TheoryData<string> Transports => ["grpc", "grpc-web"];

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task A_key_is_created_listed_with_a_masked_token_and_deleted(string transport)
    {
        var user = await NewUserAsync($"lifecycle-{transport}", transport);
        var workspace = await user.CreateWorkspaceAsync("Lifecycle");

        var created = await user.Keys.CreateMcpKeyAsync(new CreateMcpKeyRequest { Name = " Claude Desktop ", WorkspaceIds = { workspace } });

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
    public async Task The_full_token_is_returned_once_and_by_no_other_call_nor_any_log()
    {
        var user = await NewUserAsync("once", "grpc-web");
        var workspace = await user.CreateWorkspaceAsync("Once");
        var created = await user.Keys.CreateMcpKeyAsync(new CreateMcpKeyRequest { Name = "Cursor", WorkspaceIds = { workspace } });
        var accounts = new AccountService.AccountServiceClient(user.Channel);

        IMessage[] everythingElse =
        [
            await user.Keys.ListMcpKeysAsync(new ListMcpKeysRequest()),
            await user.Keys.GetMcpConnectionInfoAsync(new GetMcpConnectionInfoRequest()),
            await accounts.GetCurrentUserAsync(new GetCurrentUserRequest()),
            await accounts.ListMyWorkspacesAsync(new ListMyWorkspacesRequest()),
        ];

        var randomPart = created.Token[4..36];
        Assert.All(everythingElse, message => Assert.DoesNotContain(randomPart, JsonFormatter.Default.Format(message)));
        Assert.DoesNotContain(factory.Logs.Lines, line => line.Contains(randomPart, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_plaintext_token_is_nowhere_in_the_database_files()
    {
        var user = await NewUserAsync("storage", "grpc");
        var workspace = await user.CreateWorkspaceAsync("Storage");
        var created = await user.Keys.CreateMcpKeyAsync(new CreateMcpKeyRequest { Name = "Stored", WorkspaceIds = { workspace } });

        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var stored = await scope.ServiceProvider.GetRequiredService<KeysDataContext>().McpKeys.SingleAsync(k => k.Id == created.McpKey.Id);
            Assert.Equal(TokenHashing.Hash(created.Token), stored.TokenHash);
        }

        var (bytes, storedHash) = await StoredDataAsync(TokenHashing.Hash(created.Token));
        Assert.True(bytes.AsSpan().IndexOf(storedHash) >= 0, "The hash should be stored.");
        Assert.True(bytes.AsSpan().IndexOf(Encoding.ASCII.GetBytes(created.Token[4..20])) < 0, "The token must not be stored.");
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("Line\nbreak")]
    [InlineData("Bell\u0007")]
    public async Task A_missing_or_unprintable_name_is_an_invalid_argument(string name)
    {
        var user = await NewUserAsync($"name-{name.GetHashCode():x}", "grpc");
        var workspace = await user.CreateWorkspaceAsync("Names");

        var error = await CreateFailsAsync(user, name, workspace);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("name", error.Status.Detail);
        Assert.Equal("name", FieldOf(error));
    }

    [Fact]
    public async Task Names_may_have_64_characters_but_not_65()
    {
        var user = await NewUserAsync("length", "grpc");
        var workspace = await user.CreateWorkspaceAsync("Length");

        await user.Keys.CreateMcpKeyAsync(new CreateMcpKeyRequest { Name = new string('a', 64), WorkspaceIds = { workspace } });
        var error = await CreateFailsAsync(user, new string('b', 65), workspace);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
    }

    [Fact]
    public async Task A_name_is_unique_among_the_users_keys_ignoring_case_and_spaces()
    {
        var user = await NewUserAsync("unique", "grpc-web");
        var other = await NewUserAsync("unique-other", "grpc-web");
        var workspace = await user.CreateWorkspaceAsync("Unique");
        var otherWorkspace = await other.CreateWorkspaceAsync("Unique other");
        await user.Keys.CreateMcpKeyAsync(new CreateMcpKeyRequest { Name = "Claude Code", WorkspaceIds = { workspace } });

        var error = await CreateFailsAsync(user, "  claude code ", workspace);
        await other.Keys.CreateMcpKeyAsync(new CreateMcpKeyRequest { Name = "Claude Code", WorkspaceIds = { otherWorkspace } });

        Assert.Equal(StatusCode.AlreadyExists, error.StatusCode);
        Assert.Contains("already have a key named", error.Status.Detail);
        Assert.Equal("name", FieldOf(error));
        Assert.Single((await user.Keys.ListMcpKeysAsync(new ListMcpKeysRequest())).McpKeys);
    }

    [Fact]
    public async Task A_key_needs_at_least_one_workspace()
    {
        var user = await NewUserAsync("no-workspace", "grpc");

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            user.Keys.CreateMcpKeyAsync(new CreateMcpKeyRequest { Name = "Nowhere" }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("at least one workspace", error.Status.Detail);
        Assert.Equal("workspace_ids", FieldOf(error));
    }

    [Fact]
    public async Task A_malformed_workspace_id_is_an_invalid_argument()
    {
        var user = await NewUserAsync("malformed-workspace", "grpc");
        var workspace = await user.CreateWorkspaceAsync("Malformed");

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            user.Keys.CreateMcpKeyAsync(new CreateMcpKeyRequest { Name = "Bad id", WorkspaceIds = { workspace, "acme" } }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("workspace_ids[1]", error.Status.Detail);
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Another_users_workspace_and_an_unknown_one_are_refused_alike(string transport)
    {
        var demo = await DemoAsync(transport);
        var demoWorkspace = (await new AccountService.AccountServiceClient(demo.Channel).ListMyWorkspacesAsync(new ListMyWorkspacesRequest())).Workspaces[0].Id;
        string third;
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            third = (await scope.ServiceProvider.GetRequiredService<IdentityDataContext>().Workspaces
                .SingleAsync(w => w.Slug == DemoSeed.OtherWorkspace.Slug)).Id.ToString();
        }

        var notMine = await CreateFailsAsync(demo, $"Third {transport}", demoWorkspace, third);
        var unknown = await CreateFailsAsync(demo, $"Unknown {transport}", demoWorkspace, Guid.NewGuid().ToString());

        Assert.Equal(StatusCode.PermissionDenied, notMine.StatusCode);
        Assert.Equal("workspace_ids", FieldOf(notMine));
        Assert.Equal((notMine.StatusCode, notMine.Status.Detail), (unknown.StatusCode, unknown.Status.Detail));
        Assert.DoesNotContain((await demo.Keys.ListMcpKeysAsync(new ListMcpKeysRequest())).McpKeys, k => k.Name.EndsWith(transport, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Repeated_workspace_ids_count_once()
    {
        var user = await NewUserAsync("repeated", "grpc");
        var workspace = await user.CreateWorkspaceAsync("Repeated");

        var created = await user.Keys.CreateMcpKeyAsync(new CreateMcpKeyRequest { Name = "Twice", WorkspaceIds = { workspace, workspace.ToUpperInvariant() } });

        Assert.Single(created.McpKey.Workspaces);
    }

    [Fact]
    public async Task A_user_cannot_hold_more_keys_than_the_configured_cap()
    {
        using var capped = factory.WithWebHostBuilder(builder => builder.UseSetting("Keys:MaxKeysPerUser", "2"));
        var user = await NewUserAsync("capped", "grpc", capped);
        var workspace = await user.CreateWorkspaceAsync("Capped");
        await user.Keys.CreateMcpKeyAsync(new CreateMcpKeyRequest { Name = "One", WorkspaceIds = { workspace } });
        await user.Keys.CreateMcpKeyAsync(new CreateMcpKeyRequest { Name = "Two", WorkspaceIds = { workspace } });

        var error = await CreateFailsAsync(user, "Three", workspace);

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Contains("Delete keys you no longer use", error.Status.Detail);
    }

    [Fact]
    public async Task Another_users_key_an_unknown_id_and_a_malformed_id_are_not_found()
    {
        var owner = await NewUserAsync("owner", "grpc");
        var stranger = await NewUserAsync("stranger", "grpc");
        var workspace = await owner.CreateWorkspaceAsync("Owned");
        var key = (await owner.Keys.CreateMcpKeyAsync(new CreateMcpKeyRequest { Name = "Mine", WorkspaceIds = { workspace } })).McpKey;

        foreach (var id in new[] { key.Id, Guid.CreateVersion7().ToString("N"), "not-an-id", "", key.Id.ToUpperInvariant() })
        {
            var error = await Assert.ThrowsAsync<RpcException>(() => stranger.Keys.DeleteMcpKeyAsync(new DeleteMcpKeyRequest { KeyId = id }).ResponseAsync);
            Assert.Equal(StatusCode.NotFound, error.StatusCode);
        }

        Assert.Single((await owner.Keys.ListMcpKeysAsync(new ListMcpKeysRequest())).McpKeys);
    }

    [Fact]
    public async Task Keys_are_listed_newest_first_page_by_page()
    {
        var user = await NewUserAsync("pages", "grpc-web");
        var workspace = await user.CreateWorkspaceAsync("Pages");
        foreach (var name in new[] { "First", "Second", "Third" })
        {
            await user.Keys.CreateMcpKeyAsync(new CreateMcpKeyRequest { Name = name, WorkspaceIds = { workspace } });
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
    public async Task A_workspace_the_user_left_is_shown_as_no_longer_reachable()
    {
        var user = await NewUserAsync("leaver", "grpc");
        var host = await NewUserAsync("host", "grpc");
        var own = await user.CreateWorkspaceAsync("Own");
        var visited = await host.CreateWorkspaceAsync("Visited");
        await factory.WithWorkspacesAsync(async w => { await w.AddMemberAsync(Guid.Parse(visited), user.Id, MembershipRole.Member); return 0; });
        await user.Keys.CreateMcpKeyAsync(new CreateMcpKeyRequest { Name = "Both", WorkspaceIds = { own, visited } });

        await factory.WithWorkspacesAsync(async w => { await w.RemoveMemberAsync(Guid.Parse(visited), user.Id); return 0; });

        var key = Assert.Single((await user.Keys.ListMcpKeysAsync(new ListMcpKeysRequest())).McpKeys);
        Assert.Equal([("Own", true), ("Visited", false)], key.Workspaces.Select(w => (w.Name, w.Reachable)));
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task The_legacy_token_is_shown_masked_revoked_once_and_never_created(string transport)
    {
        var userId = await factory.CreateUserAsync($"legacy-{transport}@perspective.local", Password);
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<KeysDataContext>();
            db.LegacyTokens.Add(new Keys.Storage.LegacyToken
            {
                UserId = userId,
                TokenHash = TokenHashing.Hash("0123456789abcdef0123456789abcdef0123456789abcdef"),
                TokenHint = "cdef",
                CreateTime = new DateTime(2025, 3, 4, 5, 6, 7, DateTimeKind.Utc),
            });
            await db.SaveChangesAsync();
        }

        var keys = new McpKeyService.McpKeyServiceClient(Channel(transport, await factory.SignInAsync($"legacy-{transport}@perspective.local", Password)));

        var legacy = (await keys.GetLegacyTokenAsync(new GetLegacyTokenRequest())).LegacyToken;
        Assert.Equal("…cdef", legacy.MaskedToken);
        Assert.Equal(new DateTime(2025, 3, 4, 5, 6, 7, DateTimeKind.Utc), legacy.CreateTime.ToDateTime());
        Assert.Null(legacy.LastUsedTime);

        await keys.RevokeLegacyTokenAsync(new RevokeLegacyTokenRequest());

        var gone = await Assert.ThrowsAsync<RpcException>(() => keys.GetLegacyTokenAsync(new GetLegacyTokenRequest()).ResponseAsync);
        var revokedTwice = await Assert.ThrowsAsync<RpcException>(() => keys.RevokeLegacyTokenAsync(new RevokeLegacyTokenRequest()).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, gone.StatusCode);
        Assert.Equal(StatusCode.NotFound, revokedTwice.StatusCode);
        Assert.Contains("can no longer be created", gone.Status.Detail);
    }

    [Fact]
    public async Task The_demo_user_is_seeded_with_a_legacy_token_and_the_second_user_is_not()
    {
        var demo = await DemoAsync("grpc");
        var sam = new McpKeyService.McpKeyServiceClient(Channel("grpc", await factory.SignInAsync(DemoSeed.SecondEmail, DemoSeed.SecondPassword)));

        var legacy = (await demo.Keys.GetLegacyTokenAsync(new GetLegacyTokenRequest())).LegacyToken;
        var none = await Assert.ThrowsAsync<RpcException>(() => sam.GetLegacyTokenAsync(new GetLegacyTokenRequest()).ResponseAsync);

        Assert.Matches("^…[0-9a-f]{4}$", legacy.MaskedToken);
        Assert.Equal(StatusCode.NotFound, none.StatusCode);
    }

    [Fact]
    public async Task Connection_info_names_the_public_mcp_endpoint_and_the_header_form()
    {
        var user = await NewUserAsync("connection", "grpc-web");

        var info = await user.Keys.GetMcpConnectionInfoAsync(new GetMcpConnectionInfoRequest());

        Assert.Equal($"{PlatformFactory.PublicBaseUrl}/mcp", info.McpEndpointUrl);
        Assert.Equal("Authorization: Bearer <your-token>", $"{info.AuthorizationHeaderName}: {info.AuthorizationHeaderValueTemplate}");
        Assert.Equal("<your-token>", info.TokenPlaceholder);
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task An_mcp_key_or_legacy_token_cannot_call_the_key_service(string transport)
    {
        var user = await NewUserAsync($"bearer-{transport}", transport);
        var workspace = await user.CreateWorkspaceAsync("Bearer");
        var token = (await user.Keys.CreateMcpKeyAsync(new CreateMcpKeyRequest { Name = "Leaked", WorkspaceIds = { workspace } })).Token;

        foreach (var bearer in new[] { token, "0123456789abcdef0123456789abcdef0123456789abcdef" })
        {
            var keys = new McpKeyService.McpKeyServiceClient(Channel(transport, cookies: null));
            var headers = new Metadata { { "authorization", $"Bearer {bearer}" } };

            var create = await Assert.ThrowsAsync<RpcException>(() =>
                keys.CreateMcpKeyAsync(new CreateMcpKeyRequest { Name = "Minted", WorkspaceIds = { workspace } }, headers).ResponseAsync);
            var list = await Assert.ThrowsAsync<RpcException>(() => keys.ListMcpKeysAsync(new ListMcpKeysRequest(), headers).ResponseAsync);

            Assert.Equal(StatusCode.Unauthenticated, create.StatusCode);
            Assert.Equal(StatusCode.Unauthenticated, list.StatusCode);
            Assert.Contains("MCP keys and legacy tokens only work with the MCP endpoint", create.Status.Detail);
        }

        Assert.Single((await user.Keys.ListMcpKeysAsync(new ListMcpKeysRequest())).McpKeys);
    }

    /// <summary>The request field a refusal is about, from its google.rpc.BadRequest details.</summary>
    private static string? FieldOf(RpcException error) =>
        error.GetRpcStatus()?.GetDetail<Google.Rpc.BadRequest>()?.FieldViolations.SingleOrDefault()?.Field;

    private static async Task<RpcException> CreateFailsAsync(SignedInUser user, string name, params string[] workspaceIds) =>
        await Assert.ThrowsAsync<RpcException>(() =>
            user.Keys.CreateMcpKeyAsync(new CreateMcpKeyRequest { Name = name, WorkspaceIds = { workspaceIds } }).ResponseAsync);

    private async Task<SignedInUser> NewUserAsync(string name, string transport, WebApplicationFactory<Program>? host = null)
    {
        var email = $"{name}@perspective.local";
        var id = await factory.CreateUserAsync(email, Password);
        var channel = ChannelFor(host ?? factory, transport, await factory.SignInAsync(email, Password));
        return new SignedInUser(id, channel, factory);
    }

    private async Task<SignedInUser> DemoAsync(string transport)
    {
        var cookies = await factory.SignInAsync(DemoSeed.DemoEmail, DemoSeed.DemoPassword);
        return new SignedInUser("", Channel(transport, cookies), factory);
    }

    private GrpcChannel Channel(string transport, CookieContainer? cookies) => ChannelFor(factory, transport, cookies);

    private static GrpcChannel ChannelFor(WebApplicationFactory<Program> host, string transport, CookieContainer? cookies) =>
        transport == "grpc-web" ? host.CreateGrpcWebChannel(cookies) : host.CreateGrpcChannel(cookies);

    /// <summary>
    /// Everything stored: SQLite's files as they are on disk, or every row of every PostgreSQL table
    /// as text (where binary columns read as hex); and how <paramref name="hash"/> looks in it.
    /// </summary>
    private async Task<(byte[] Bytes, byte[] StoredHash)> StoredDataAsync(byte[] hash)
    {
        if (TestDatabase.Provider == DatabaseProvider.Sqlite)
        {
            var files = new[] { factory.DatabasePath, factory.DatabasePath + "-wal" }.Where(File.Exists);
            return (files.SelectMany(File.ReadAllBytes).ToArray(), hash);
        }

        await using var connection = new Npgsql.NpgsqlConnection(TestDatabase.ConnectionString(factory.DataDirectory));
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var list = new Npgsql.NpgsqlCommand("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'", connection))
        await using (var reader = await list.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }

        var rows = new StringBuilder();
        foreach (var table in tables)
        {
            await using var select = new Npgsql.NpgsqlCommand($"SELECT t::text FROM \"{table}\" t", connection);
            await using var reader = await select.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                rows.AppendLine(reader.GetString(0));
            }
        }

        return (Encoding.UTF8.GetBytes(rows.ToString()), Encoding.ASCII.GetBytes(Convert.ToHexStringLower(hash)));
    }

    private sealed record SignedInUser(string Id, GrpcChannel Channel, PlatformFactory Factory)
    {
        public McpKeyService.McpKeyServiceClient Keys { get; } = new(Channel);

        public Task<string> CreateWorkspaceAsync(string name) => Factory.WithWorkspacesAsync(async workspaces =>
            (await workspaces.CreateWorkspaceAsync(name.ToLowerInvariant().Replace(' ', '-') + "-" + Guid.NewGuid().ToString("N")[..6], name, Id)).Id.ToString());
    }
}
