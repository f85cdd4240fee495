using Perspective.Activity;
using Perspective.Identity;
using Perspective.Keys;
using Perspective.McpHost.Admin;
using Perspective.McpHost.Content;
using Perspective.McpHost.GrpcInput;
using Perspective.McpHost.Mcp;

namespace Perspective.McpHost.Extensions;

/// <summary>
/// Which modules make the platform, in one place: the product's <c>Program</c> and the benchmark
/// host compose exactly these, so a module added here is measured too.
/// </summary>
public static class PlatformComposition
{
    public static IHostApplicationBuilder AddPlatformModules(this IHostApplicationBuilder builder)
    {
        builder.AddPlatformHost();
        builder.AddIdentityModule();
        builder.AddKeysModule();
        builder.AddActivityModule();
        builder.AddWorkspaceContent();
        builder.AddMcpEndpoint();
        builder.AddAdminModule();
        builder.Services.UseStrictGrpcMessageParsing();
        return builder;
    }

    public static WebApplication MapPlatformModules(this WebApplication app)
    {
        app.MapIdentityModule();
        app.MapKeysModule();
        app.MapMcpEndpoint();
        app.MapAdminModule();
        app.MapPlatformEndpoints();
        return app;
    }
}
