using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Perspective.Platform.Storage;

namespace Perspective.McpHost.Admin.Postgres;

/// <summary>
/// The same tables on PostgreSQL. The subclass adds nothing to the model: it exists so that
/// PostgreSQL's migrations (in <c>Migrations</c> beside it) are told apart from SQLite's.
/// </summary>
public sealed class PostgresAdminDataContext(DbContextOptions<PostgresAdminDataContext> options) : AdminDataContext(options);

/// <summary>Lets <c>dotnet ef migrations add --context PostgresAdminDataContext</c> build the model without a server.</summary>
internal sealed class DesignTimePostgresAdminDataContextFactory : IDesignTimeDbContextFactory<PostgresAdminDataContext>
{
    public PostgresAdminDataContext CreateDbContext(string[] args) =>
        new(PlatformDatabase.DesignTimeOptions<PostgresAdminDataContext>(DatabaseProvider.Postgres, AdminDataContext.MigrationsHistoryTable));
}
