using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Perspective.Identity.Storage;

namespace Perspective.McpHost.Content;

/// <summary>Lets <c>dotnet ef migrations add</c> build the model without starting the host.</summary>
internal sealed class DesignTimeContentDataContextFactory : IDesignTimeDbContextFactory<ContentDataContext>
{
    public ContentDataContext CreateDbContext(string[] args)
    {
        var settings = new PlatformDatabaseSettings(DatabaseProvider.Sqlite, "Data Source=design-time.db");
        var options = new DbContextOptionsBuilder<ContentDataContext>().UsePlatformDatabase(settings, ContentDataContext.MigrationsHistoryTable);
        return new ContentDataContext(options.Options);
    }
}
