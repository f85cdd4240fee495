using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Perspective.Identity.Storage;

/// <summary>Lets <c>dotnet ef migrations add</c> build the model without starting the host.</summary>
internal sealed class DesignTimeIdentityDataContextFactory : IDesignTimeDbContextFactory<IdentityDataContext>
{
    public IdentityDataContext CreateDbContext(string[] args)
    {
        var settings = new PlatformDatabaseSettings(DatabaseProvider.Sqlite, "Data Source=design-time.db");
        var options = new DbContextOptionsBuilder<IdentityDataContext>()
            .UsePlatformDatabase(settings, IdentityDataContext.MigrationsHistoryTable);
        return new IdentityDataContext(options.Options);
    }
}
