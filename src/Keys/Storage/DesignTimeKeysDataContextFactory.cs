using Microsoft.EntityFrameworkCore.Design;
using Perspective.Platform.Storage;

namespace Perspective.Keys.Storage;

/// <summary>Lets <c>dotnet ef migrations add --context KeysDataContext</c> build the SQLite model without starting the host.</summary>
internal sealed class DesignTimeKeysDataContextFactory : IDesignTimeDbContextFactory<KeysDataContext>
{
    public KeysDataContext CreateDbContext(string[] args) =>
        new(PlatformDatabase.DesignTimeOptions<KeysDataContext>(DatabaseProvider.Sqlite, KeysDataContext.MigrationsHistoryTable));
}
