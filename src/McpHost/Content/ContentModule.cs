using Microsoft.EntityFrameworkCore;
using Perspective.McpHost.Content.Postgres;
using Perspective.Platform.Storage;

namespace Perspective.McpHost.Content;

/// <summary>Workspace content: perspectives and conversations, with their tables and demo data.</summary>
public static class ContentModule
{
    public static IHostApplicationBuilder AddWorkspaceContent(this IHostApplicationBuilder builder)
    {
        builder.AddPlatformDbContext<ContentDataContext, PostgresContentDataContext>(ContentDataContext.MigrationsHistoryTable);
        builder.Services.AddScoped<WorkspaceContent>();
        builder.Services.AddScoped<DemoContentSeed>();
        return builder;
    }

    /// <summary>Applies the content migrations; run after Identity's, whose workspaces content refers to.</summary>
    public static async Task MigrateContentDatabaseAsync(this IServiceProvider services, CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<ContentDataContext>().Database.MigrateAsync(cancellationToken);
    }
}
