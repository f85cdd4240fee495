using Microsoft.EntityFrameworkCore.Design;
using Perspective.Platform.Storage;

namespace Perspective.Identity.Storage;

/// <summary>Lets <c>dotnet ef migrations add --context IdentityDataContext</c> build the SQLite model without starting the host.</summary>
internal sealed class DesignTimeIdentityDataContextFactory : IDesignTimeDbContextFactory<IdentityDataContext>
{
    public IdentityDataContext CreateDbContext(string[] args) =>
        new(PlatformDatabase.DesignTimeOptions<IdentityDataContext>(DatabaseProvider.Sqlite, IdentityDataContext.MigrationsHistoryTable));
}
