using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Perspective.Platform.Storage;

namespace Perspective.McpHost.Content.Postgres;

/// <summary>
/// The same tables on PostgreSQL. The subclass adds nothing to the model: it exists so that
/// PostgreSQL's migrations (in <c>Migrations</c> beside it) are told apart from SQLite's.
/// </summary>
public sealed class PostgresContentDataContext(DbContextOptions<PostgresContentDataContext> options) : ContentDataContext(options);

/// <summary>Lets <c>dotnet ef migrations add --context PostgresContentDataContext</c> build the model without a server.</summary>
internal sealed class DesignTimePostgresContentDataContextFactory : IDesignTimeDbContextFactory<PostgresContentDataContext>
{
    public PostgresContentDataContext CreateDbContext(string[] args) =>
        new(PlatformDatabase.DesignTimeOptions<PostgresContentDataContext>(DatabaseProvider.Postgres, ContentDataContext.MigrationsHistoryTable));
}
