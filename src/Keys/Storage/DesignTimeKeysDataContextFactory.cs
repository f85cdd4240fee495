using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Perspective.Identity.Storage;

namespace Perspective.Keys.Storage;

/// <summary>Lets <c>dotnet ef migrations add</c> build the model without starting the host.</summary>
internal sealed class DesignTimeKeysDataContextFactory : IDesignTimeDbContextFactory<KeysDataContext>
{
    public KeysDataContext CreateDbContext(string[] args)
    {
        var settings = new PlatformDatabaseSettings(DatabaseProvider.Sqlite, "Data Source=design-time.db");
        var options = new DbContextOptionsBuilder<KeysDataContext>().UsePlatformDatabase(settings, KeysDataContext.MigrationsHistoryTable);
        return new KeysDataContext(options.Options);
    }
}
