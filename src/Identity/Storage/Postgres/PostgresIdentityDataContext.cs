using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Perspective.Platform.Storage;

namespace Perspective.Identity.Storage.Postgres;

/// <summary>
/// The same tables on PostgreSQL. The subclass adds nothing to the model: it exists so that
/// PostgreSQL's migrations (in <c>Migrations</c> beside it) are told apart from SQLite's.
/// </summary>
public sealed class PostgresIdentityDataContext(DbContextOptions<PostgresIdentityDataContext> options) : IdentityDataContext(options);

/// <summary>Lets <c>dotnet ef migrations add --context PostgresIdentityDataContext</c> build the model without a server.</summary>
internal sealed class DesignTimePostgresIdentityDataContextFactory : IDesignTimeDbContextFactory<PostgresIdentityDataContext>
{
    public PostgresIdentityDataContext CreateDbContext(string[] args) =>
        new(PlatformDatabase.DesignTimeOptions<PostgresIdentityDataContext>(DatabaseProvider.Postgres, IdentityDataContext.MigrationsHistoryTable));
}
