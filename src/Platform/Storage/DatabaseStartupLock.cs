using Microsoft.Extensions.Logging;
using Npgsql;

namespace Perspective.Platform.Storage;

/// <summary>
/// Serializes database preparation (migrations, shared keys, demo seed) across hosts that start at
/// the same time on one PostgreSQL database: the first takes a session advisory lock, the others
/// wait for it and then find everything done. The lock goes with the session, so a host killed
/// while holding it releases it. A SQLite file belongs to one host, which needs no lock.
/// </summary>
public sealed class DatabaseStartupLock : IAsyncDisposable
{
    /// <summary>An arbitrary constant all hosts agree on ("Perspective" in ASCII, truncated).</summary>
    private const long AdvisoryLockKey = 0x5065727370656374;

    private static readonly TimeSpan WaitForDatabase = TimeSpan.FromSeconds(60);

    private readonly NpgsqlConnection? connection;

    private DatabaseStartupLock(NpgsqlConnection? connection) => this.connection = connection;

    /// <summary>
    /// Takes the lock, creating the PostgreSQL database first when it does not exist and waiting
    /// (bounded) for a server that is still starting.
    /// </summary>
    public static async Task<DatabaseStartupLock> AcquireAsync(PlatformDatabaseSettings settings, ILogger logger, CancellationToken cancellationToken)
    {
        if (settings.Provider != DatabaseProvider.Postgres)
        {
            return new DatabaseStartupLock(null);
        }

        var connectionString = new NpgsqlConnectionStringBuilder(settings.ConnectionString) { Pooling = false };
        var deadline = DateTime.UtcNow + WaitForDatabase;
        while (true)
        {
            var connection = new NpgsqlConnection(connectionString.ConnectionString);
            try
            {
                await connection.OpenAsync(cancellationToken);
                await using (var command = new NpgsqlCommand($"SELECT pg_advisory_lock({AdvisoryLockKey})", connection))
                {
                    logger.LogInformation("Waiting for the database startup lock (another host may be migrating)");
                    await command.ExecuteNonQueryAsync(cancellationToken);
                }

                return new DatabaseStartupLock(connection);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InvalidCatalogName)
            {
                await connection.DisposeAsync();
                await CreateDatabaseAsync(connectionString, logger, cancellationToken);
            }
            catch (NpgsqlException e) when (e.IsTransient && DateTime.UtcNow < deadline)
            {
                await connection.DisposeAsync();
                logger.LogWarning("The database is not reachable yet ({Reason}); retrying", e.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            }
            catch
            {
                await connection.DisposeAsync();
                throw;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (connection is null)
        {
            return;
        }

        try
        {
            await using var command = new NpgsqlCommand($"SELECT pg_advisory_unlock({AdvisoryLockKey})", connection);
            await command.ExecuteNonQueryAsync();
        }
        finally
        {
            // Closing the session releases the lock even if the unlock above failed.
            await connection.DisposeAsync();
        }
    }

    private static async Task CreateDatabaseAsync(NpgsqlConnectionStringBuilder target, ILogger logger, CancellationToken cancellationToken)
    {
        var maintenance = new NpgsqlConnectionStringBuilder(target.ConnectionString) { Database = "postgres" };
        await using var connection = new NpgsqlConnection(maintenance.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        var name = target.Database ?? throw new InvalidOperationException("The PostgreSQL connection string names no Database.");
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name.Replace("\"", "\"\"")}\"", connection);
        try
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
            logger.LogInformation("Created the database {Database}", name);
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.DuplicateDatabase or PostgresErrorCodes.UniqueViolation)
        {
            // Another host created it at the same moment.
        }
    }
}
