using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.EntityFrameworkCore;
using Perspective.Identity;
using Perspective.Identity.OAuth;
using Perspective.Identity.Storage;
using Perspective.McpHost.Deployment;
using Perspective.McpHost.GrpcInput;
using Perspective.McpHost.Lifecycle;
using Perspective.McpHost.Mcp;
using Perspective.McpHost.Telemetry;
using Perspective.Platform.Storage;

namespace Perspective.McpHost.Extensions;

/// <summary>What the host adds around the modules: gRPC plumbing, health, the web UI, the request pipeline.</summary>
public static class HostExtensions
{
    public static IHostApplicationBuilder AddPlatformHost(this IHostApplicationBuilder builder)
    {
        builder.AddPublicOrigin();
        builder.Services.AddProblemDetails();
        builder.Services.Configure<ForwardedHeadersOptions>(options =>
        {
            // Only enabled behind a reverse proxy that sets these headers itself; then the scheme
            // (https) and the client address come from the proxy rather than the TCP connection.
            options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost;
            options.KnownIPNetworks.Clear();
            options.KnownProxies.Clear();
        });
        builder.Services.AddGrpcWithInputLimits();
        builder.Services.AddGrpcReflection();
        builder.AddPlatformTelemetry();
        builder.AddGracefulDrain();
        builder.Services.AddHealthChecks()
            // A query on a migrated table: the database answers and has the schema (connecting alone proves neither on SQLite).
            .AddDbContextCheck<IdentityDataContext>(HealthReportWriter.DatabaseCheck, customTestQuery: async (db, cancellationToken) =>
            {
                await db.Workspaces.AsNoTracking().AnyAsync(cancellationToken);
                return true;
            })
            .AddCheck<ReadinessCheck>(ReadinessCheck.Name);
        return builder;
    }

    public static WebApplication UsePlatformPipeline(this WebApplication app)
    {
        // A listener of its own that serves only the scrape path, when Prometheus is enabled.
        app.UsePrometheusScrapeListener();

        // First, so error pages, OpenIddict's answers and the UI fallback all carry the headers.
        app.UseSecurityHeaders();

        if (app.Configuration.GetValue<bool>("Platform:ForwardedHeaders"))
        {
            app.UseForwardedHeaders();
        }

        app.UseHttpsRedirectionToPublicOrigin();

        if (!app.Environment.IsDevelopment())
        {
            app.UseExceptionHandler();
        }

        app.UseMcpRequestMetrics();
        app.UseDatabaseOutageResponses();

        app.UseRouting();
        app.UseWhen(context => OAuthServer.IsPublicOAuthPath(context.Request.Path), oauth => oauth.UseCors(OAuthServer.PublicCorsPolicy));
        app.UseMcpRequestGuard();
        app.UseRateLimiter();
        app.UsePublicOrigin();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseMcpRequestBody();
        app.UseGrpcWeb();
        return app;
    }

    public static WebApplication MapPlatformEndpoints(this WebApplication app)
    {
        // The settings UI's page, read once: its policy allows its import map by hash (see SettingsUiPage).
        var page = SettingsUiPage.Read(app.Environment.WebRootFileProvider);

        // Fingerprinted files are immutable for a year, the others (index.html among them) no-cache, as the
        // build's endpoint manifest says; the endpoints that serve index.html also carry the page's policy.
        app.MapStaticAssets().Add(endpoint =>
        {
            if (SettingsUiPage.IsServedBy(endpoint))
            {
                endpoint.Metadata.Add(page);
            }
        });
        app.MapHealthEndpoints();
        app.MapGrpcReflectionService();

        // The settings UI: every page of it needs a signed-in user; the sign-in page brings them back. The
        // fallback hands the request to the static file middleware with no endpoint (so SecurityHeaders cannot
        // find the page's metadata then) and sends no Cache-Control: it sets both itself, as index.html has them.
        app.MapFallbackToFile(SettingsUiPage.FileName, new StaticFileOptions { OnPrepareResponse = file => page.Prepare(file.Context.Response) })
            .RequireAuthorization(PlatformPolicies.BrowserSession);
        return app;
    }
}
