using Perspective.McpHost.Content.Postgres;
using Perspective.Platform.Storage;

namespace Perspective.McpHost.Content;

/// <summary>Workspace content: perspectives and conversations, with their tables and demo data.</summary>
public static class ContentModule
{
    public static IHostApplicationBuilder AddWorkspaceContent(this IHostApplicationBuilder builder)
    {
        builder.AddPlatformDbContext<ContentDataContext, PostgresContentDataContext>(
            ContentDataContext.MigrationsHistoryTable, ContentDataContext.MigrationOrder);
        builder.Services.AddScoped<WorkspaceContent>();
        builder.Services.AddScoped<DemoContentSeed>();
        return builder;
    }
}
