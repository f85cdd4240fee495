using System.Text;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Perspective.Accounts.V1;
using Perspective.Keys.Storage;
using Perspective.Keys.Tokens;
using Perspective.Keys.V1;
using Perspective.Platform.Storage;

namespace Perspective.IntegrationTests.Keys;

/// <summary>A key's token: shown once, stored only hashed, never logged, and useless for managing keys when it leaks.</summary>
public sealed class KeySecrecyTests(PlatformFactory factory) : IClassFixture<PlatformFactory>
{
    private readonly KeyServiceUsers users = new(factory);

    [Fact]
    public async Task The_full_token_is_returned_once_and_by_no_other_call_nor_any_log()
    {
        var user = await users.NewAsync("once", "grpc-web");
        var workspace = await user.CreateWorkspaceAsync("Once");
        var created = await user.Keys.CreateMcpKeyAsync(new CreateMcpKeyRequest { Name = "Cursor", WorkspaceIds = { workspace }, Access = McpKeyAccess.ReadWrite });
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
        var user = await users.NewAsync("storage", "grpc");
        var workspace = await user.CreateWorkspaceAsync("Storage");
        var created = await user.Keys.CreateMcpKeyAsync(new CreateMcpKeyRequest { Name = "Stored", WorkspaceIds = { workspace }, Access = McpKeyAccess.ReadWrite });

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
    [MemberData(nameof(KeyServiceUsers.Transports), MemberType = typeof(KeyServiceUsers))]
    public async Task An_mcp_key_or_legacy_token_cannot_call_the_key_service(string transport)
    {
        var user = await users.NewAsync($"bearer-{transport}", transport);
        var workspace = await user.CreateWorkspaceAsync("Bearer");
        var token = (await user.Keys.CreateMcpKeyAsync(new CreateMcpKeyRequest { Name = "Leaked", WorkspaceIds = { workspace }, Access = McpKeyAccess.ReadWrite })).Token;

        foreach (var bearer in new[] { token, "0123456789abcdef0123456789abcdef0123456789abcdef" })
        {
            var keys = new McpKeyService.McpKeyServiceClient(users.Channel(transport, cookies: null));
            var headers = new Metadata { { "authorization", $"Bearer {bearer}" } };

            var create = await Assert.ThrowsAsync<RpcException>(() =>
                keys.CreateMcpKeyAsync(new CreateMcpKeyRequest { Name = "Minted", WorkspaceIds = { workspace }, Access = McpKeyAccess.ReadWrite }, headers).ResponseAsync);
            var list = await Assert.ThrowsAsync<RpcException>(() => keys.ListMcpKeysAsync(new ListMcpKeysRequest(), headers).ResponseAsync);

            Assert.Equal(StatusCode.Unauthenticated, create.StatusCode);
            Assert.Equal(StatusCode.Unauthenticated, list.StatusCode);
            Assert.Contains("MCP keys and legacy tokens only work with the MCP endpoint", create.Status.Detail);
        }

        Assert.Single((await user.Keys.ListMcpKeysAsync(new ListMcpKeysRequest())).McpKeys);
    }

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
}
