using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Perspective.Identity.Storage;

namespace Perspective.McpHost.Admin;

/// <summary>Lets <c>dotnet ef migrations add</c> build the model without starting the host.</summary>
internal sealed class DesignTimeAdminDataContextFactory : IDesignTimeDbContextFactory<AdminDataContext>
{
    public AdminDataContext CreateDbContext(string[] args)
    {
        var settings = new PlatformDatabaseSettings(DatabaseProvider.Sqlite, "Data Source=design-time.db");
        var options = new DbContextOptionsBuilder<AdminDataContext>().UsePlatformDatabase(settings, AdminDataContext.MigrationsHistoryTable);
        return new AdminDataContext(options.Options);
    }
}
