using Microsoft.EntityFrameworkCore.Design;
using Perspective.Platform.Storage;

namespace Perspective.McpHost.Content;

/// <summary>Lets <c>dotnet ef migrations add --context ContentDataContext</c> build the SQLite model without starting the host.</summary>
internal sealed class DesignTimeContentDataContextFactory : IDesignTimeDbContextFactory<ContentDataContext>
{
    public ContentDataContext CreateDbContext(string[] args) =>
        new(PlatformDatabase.DesignTimeOptions<ContentDataContext>(DatabaseProvider.Sqlite, ContentDataContext.MigrationsHistoryTable));
}
