using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Perspective.Platform.Storage;

namespace Perspective.Activity.Storage.Postgres;

/// <summary>
/// The same tables on PostgreSQL. The subclass adds nothing to the model: it exists so that
/// PostgreSQL's migrations (in <c>Migrations</c> beside it) are told apart from SQLite's.
/// </summary>
public sealed class PostgresActivityDataContext(DbContextOptions<PostgresActivityDataContext> options) : ActivityDataContext(options);

/// <summary>Lets <c>dotnet ef migrations add --context PostgresActivityDataContext</c> build the model without a server.</summary>
internal sealed class DesignTimePostgresActivityDataContextFactory : IDesignTimeDbContextFactory<PostgresActivityDataContext>
{
    public PostgresActivityDataContext CreateDbContext(string[] args) =>
        new(PlatformDatabase.DesignTimeOptions<PostgresActivityDataContext>(DatabaseProvider.Postgres, ActivityDataContext.MigrationsHistoryTable));
}
