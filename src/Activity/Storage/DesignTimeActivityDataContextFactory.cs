using Microsoft.EntityFrameworkCore.Design;
using Perspective.Platform.Storage;

namespace Perspective.Activity.Storage;

/// <summary>Lets <c>dotnet ef migrations add --context ActivityDataContext</c> build the SQLite model without starting the host.</summary>
internal sealed class DesignTimeActivityDataContextFactory : IDesignTimeDbContextFactory<ActivityDataContext>
{
    public ActivityDataContext CreateDbContext(string[] args) =>
        new(PlatformDatabase.DesignTimeOptions<ActivityDataContext>(DatabaseProvider.Sqlite, ActivityDataContext.MigrationsHistoryTable));
}
