using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Perspective.Platform.Storage;

/// <summary>
/// The one place that knows about database providers: every module's DbContext is configured
/// here, so provider-specific settings never leak into the modules.
/// </summary>
/// <remarks>
/// Each module's context serves SQLite itself and has a PostgreSQL subclass. The subclass only
/// exists to own its provider's migrations (EF Core finds migrations by context type), so both
/// providers' migrations live side by side in the module.
/// </remarks>
public static class PlatformDatabase
{
    /// <summary>How long a SQLite statement waits for another writer before failing.</summary>
    public static readonly TimeSpan SqliteBusyTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Registers a module's DbContext for the configured provider, and its migrations at
    /// <paramref name="migrationOrder"/> in <see cref="ModuleMigrations"/>. Contexts are pooled: one is
    /// taken on every request, and pooling keeps that from dominating the request's cost.
    /// </summary>
    public static IHostApplicationBuilder AddPlatformDbContext<TContext, TPostgresContext>(
        this IHostApplicationBuilder builder, string migrationsHistoryTable, int migrationOrder)
        where TContext : DbContext
        where TPostgresContext : TContext
    {
        var settings = PlatformDatabaseSettings.From(builder.Configuration, builder.Environment);
        builder.Services.TryAddSingleton(settings);
        builder.Services.AddSingleton(new ModuleMigration(typeof(TContext), migrationOrder));
        if (settings.Provider == DatabaseProvider.Postgres)
        {
            builder.Services.AddDbContextPool<TContext, TPostgresContext>(options => options.UsePlatformDatabase(settings, migrationsHistoryTable));
        }
        else
        {
            builder.Services.AddDbContextPool<TContext>(options => options.UsePlatformDatabase(settings, migrationsHistoryTable));
        }

        return builder;
    }

    /// <summary>Options for <c>dotnet ef</c> at design time: the model only, no connection is opened.</summary>
    public static DbContextOptions<TContext> DesignTimeOptions<TContext>(DatabaseProvider provider, string migrationsHistoryTable)
        where TContext : DbContext
    {
        var connectionString = provider == DatabaseProvider.Postgres ? "Host=localhost;Database=design_time" : "Data Source=design-time.db";
        return new DbContextOptionsBuilder<TContext>()
            .UsePlatformDatabase(new PlatformDatabaseSettings(provider, connectionString), migrationsHistoryTable)
            .Options;
    }

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
            case DatabaseProvider.Postgres:
                // No retrying execution strategy: while the database is down a request fails at
                // once with 503 / UNAVAILABLE instead of holding the caller for the retries.
                options.UseNpgsql(settings.ConnectionString, npgsql => npgsql.MigrationsHistoryTable(migrationsHistoryTable));
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
