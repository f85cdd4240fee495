using Perspective.Platform.Hosting;

namespace Perspective.McpHost.Extensions;

/// <summary>Tells whoever started the host where to point a browser and grpcurl.</summary>
public static class StartupBanner
{
    public static void PrintStartupBanner(this WebApplication app)
    {
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Perspective.Platform");
            logger.LogInformation("Perspective Platform is running. Web UI: {WebUiUrl}/", PlatformUrls.PublicBaseUrl(app.Configuration));
            logger.LogInformation("Native gRPC (HTTP/2 only, e.g. grpcurl -plaintext): {GrpcUrl}", PlatformUrls.NativeGrpcUrl(app.Configuration));
        });
    }
}
