using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Perspective.Identity.Storage;
using Perspective.Keys.Authentication;
using Perspective.Keys.Storage;
using Perspective.Keys.Tokens;
using Perspective.Platform.Storage;

namespace Perspective.Bench;

/// <summary>In-process runs: nothing is generated or built at benchmark time.</summary>
public sealed class InProcessConfig : ManualConfig
{
    public InProcessConfig() => AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance));
}

/// <summary>What authentication costs before the database: parsing, checksum, SHA-256.</summary>
[Config(typeof(InProcessConfig))]
[MemoryDiagnoser]
public class TokenBenchmarks
{
    private readonly string token = McpKeyToken.Generate();

    [Benchmark]
    public byte[]? ParseChecksumAndHash() => McpKeyToken.IsWellFormed(token) ? TokenHashing.Hash(token) : null;
}

/// <summary>The authenticated lookup (the query the handler runs) with a thousand and a million keys stored.</summary>
[Config(typeof(InProcessConfig))]
[MemoryDiagnoser]
public class KeyLookupBenchmarks
{
    private string directory = "";
    private PooledDbContextFactory<KeysDataContext> contexts = null!;
    private byte[] hash = [];

    [Params(1_000, 1_000_000)]
    public int StoredKeys { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        directory = Directory.CreateTempSubdirectory("perspective-lookup-").FullName;
        var settings = new PlatformDatabaseSettings(DatabaseProvider.Sqlite, $"Data Source={Path.Combine(directory, "lookup.db")}");
        hash = await KeyTable.FillAsync(settings, StoredKeys);
        // Pooled, as the host registers it.
        contexts = new PooledDbContextFactory<KeysDataContext>(
            new DbContextOptionsBuilder<KeysDataContext>().UsePlatformDatabase(settings, KeysDataContext.MigrationsHistoryTable).Options);
        if ((await FindKeyByHash())?.Reachable.Count != 1)
        {
            throw new InvalidOperationException("The benchmark key should reach exactly its one workspace.");
        }
    }

    [Benchmark]
    public async Task<KeyCredential?> FindKeyByHash()
    {
        await using var db = contexts.CreateDbContext();
        return await CredentialLookup.FindKeyAsync(db, hash, CancellationToken.None);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(directory, recursive: true);
    }
}

/// <summary>
/// Builds a key table of a given size through the real migrations, each key scoped to a workspace the
/// user is a member of (so the lookup's joins have rows to find, as in production); returns the hash
/// of a key in the middle.
/// </summary>
public static class KeyTable
{
    private static readonly Guid BenchWorkspace = new("6c0f8a56-5b1e-4d7e-9a43-3f1c2a9b7e10");

    public static async Task<byte[]> FillAsync(PlatformDatabaseSettings settings, int count)
    {
        await using (var identity = new IdentityDataContext(new DbContextOptionsBuilder<IdentityDataContext>()
                         .UsePlatformDatabase(settings, IdentityDataContext.MigrationsHistoryTable).Options))
        {
            await identity.Database.MigrateAsync();
            await PlatformDatabase.PrepareAsync(identity, CancellationToken.None);
            identity.Users.Add(new Perspective.Identity.Accounts.PlatformUser { Id = "bench-user", UserName = "bench", Email = "bench@example.com" });
            identity.Workspaces.Add(new Perspective.Identity.Workspaces.Workspace { Id = BenchWorkspace, Slug = "bench", Name = "Bench" });
            identity.Memberships.Add(new Perspective.Identity.Workspaces.Membership
            {
                WorkspaceId = BenchWorkspace, UserId = "bench-user", Role = Perspective.Identity.Workspaces.MembershipRole.Owner,
            });
            await identity.SaveChangesAsync();
        }

        await using (var keys = new KeysDataContext(new DbContextOptionsBuilder<KeysDataContext>()
                         .UsePlatformDatabase(settings, KeysDataContext.MigrationsHistoryTable).Options))
        {
            await keys.Database.MigrateAsync();
        }

        await using var connection = new SqliteConnection(settings.ConnectionString);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using var insert = connection.CreateCommand();
        insert.CommandText = "INSERT INTO McpKeys (Id, UserId, Name, NormalizedName, TokenHash, TokenHint, CreateTime) VALUES ($id, 'bench-user', $name, $name, $hash, 'abcd', '2026-01-01 00:00:00');" +
                             "INSERT INTO McpKeyWorkspaces (KeyId, WorkspaceId) VALUES ($id, $workspace);";
        insert.Parameters.AddWithValue("$workspace", BenchWorkspace.ToString().ToUpperInvariant());
        var id = insert.Parameters.Add("$id", SqliteType.Text);
        var name = insert.Parameters.Add("$name", SqliteType.Text);
        var tokenHash = insert.Parameters.Add("$hash", SqliteType.Blob);
        byte[] middle = [];
        for (var i = 0; i < count; i++)
        {
            var token = McpKeyToken.Generate();
            id.Value = i.ToString("x32", System.Globalization.CultureInfo.InvariantCulture);
            name.Value = $"KEY {i}";
            tokenHash.Value = TokenHashing.Hash(token);
            if (i == count / 2)
            {
                middle = (byte[])tokenHash.Value;
            }

            await insert.ExecuteNonQueryAsync();
        }

        await transaction.CommitAsync();
        return middle;
    }
}
