using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Perspective.Platform.Storage;

namespace Perspective.Keys.Storage.Postgres;

/// <summary>
/// The same tables on PostgreSQL. The subclass adds nothing to the model: it exists so that
/// PostgreSQL's migrations (in <c>Migrations</c> beside it) are told apart from SQLite's.
/// </summary>
public sealed class PostgresKeysDataContext(DbContextOptions<PostgresKeysDataContext> options) : KeysDataContext(options);

/// <summary>Lets <c>dotnet ef migrations add --context PostgresKeysDataContext</c> build the model without a server.</summary>
internal sealed class DesignTimePostgresKeysDataContextFactory : IDesignTimeDbContextFactory<PostgresKeysDataContext>
{
    public PostgresKeysDataContext CreateDbContext(string[] args) =>
        new(PlatformDatabase.DesignTimeOptions<PostgresKeysDataContext>(DatabaseProvider.Postgres, KeysDataContext.MigrationsHistoryTable));
}
