using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Perspective.Identity.Storage;

/// <summary>
/// The one place that knows about database providers: every module's DbContext is configured
/// here, so provider-specific settings never leak into the modules.
/// </summary>
public static class PlatformDatabase
{
    /// <summary>How long a SQLite statement waits for another writer before failing.</summary>
    public static readonly TimeSpan SqliteBusyTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Configures a module's DbContext. Modules register their contexts pooled: a context is
    /// created on every request, and pooling keeps that from dominating the request's cost.
    /// </summary>
    public static TBuilder UsePlatformDatabase<TBuilder>(
        this TBuilder options, PlatformDatabaseSettings settings, string migrationsHistoryTable)
        where TBuilder : DbContextOptionsBuilder
    {
        switch (settings.Provider)
        {
            case DatabaseProvider.Sqlite:
                options.UseSqlite(settings.ConnectionString, sqlite => sqlite.MigrationsHistoryTable(migrationsHistoryTable));
                options.AddInterceptors(SqliteConnectionPragmas.Instance);
                break;
            default:
                throw new InvalidOperationException($"Database provider {settings.Provider} has no configuration.");
        }

        return options;
    }

    /// <summary>
    /// Puts the database in the mode concurrent hosts and requests need. SQLite's WAL journal is a
    /// property of the file, so it is set once at start; readers then never block the writer.
    /// </summary>
    public static async Task PrepareAsync(DbContext context, CancellationToken cancellationToken)
    {
        if (context.Database.IsSqlite())
        {
            var connectionString = new SqliteConnectionStringBuilder(context.Database.GetConnectionString());
            if (connectionString.Mode != SqliteOpenMode.Memory && connectionString.DataSource != ":memory:")
            {
                await context.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
            }
        }
    }
}
