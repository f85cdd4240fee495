using Microsoft.EntityFrameworkCore.Design;
using Perspective.Platform.Storage;

namespace Perspective.McpHost.Admin;

/// <summary>Lets <c>dotnet ef migrations add --context AdminDataContext</c> build the SQLite model without starting the host.</summary>
internal sealed class DesignTimeAdminDataContextFactory : IDesignTimeDbContextFactory<AdminDataContext>
{
    public AdminDataContext CreateDbContext(string[] args) =>
        new(PlatformDatabase.DesignTimeOptions<AdminDataContext>(DatabaseProvider.Sqlite, AdminDataContext.MigrationsHistoryTable));
}
