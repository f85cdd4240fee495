using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Perspective.McpHost.Lifecycle;
using Perspective.McpHost.Mcp;
using Perspective.Platform.Hosting;

namespace Perspective.McpHost.Telemetry;

/// <summary>
/// OpenTelemetry traces and metrics: ASP.NET Core (gRPC included), HttpClient, EF Core, Npgsql, the
/// runtime and the product's own <see cref="PlatformMetrics"/>. Exported over OTLP only when
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (the standard <c>OTEL_EXPORTER_OTLP_*</c> variables apply),
/// and to Prometheus only when <see cref="PrometheusOptions"/> enables it. With neither, no OpenTelemetry
/// is registered at all: nothing listens to the meters and no activity is created.
/// </summary>
public static class PlatformTelemetry
{
    public const string OtlpEndpointSetting = "OTEL_EXPORTER_OTLP_ENDPOINT";
    public const string ServiceNameSetting = "OTEL_SERVICE_NAME";
    public const string DefaultServiceName = "perspective-platform";

    /// <summary>Npgsql names its ActivitySource and Meter "Npgsql"; listening to them needs no package.</summary>
    private const string Npgsql = "Npgsql";

    /// <summary>EF Core's own meter (contexts, queries, save changes); its tracing comes from the instrumentation package.</summary>
    private const string EntityFrameworkCore = "Microsoft.EntityFrameworkCore";

    public static IHostApplicationBuilder AddPlatformTelemetry(this IHostApplicationBuilder builder)
    {
        var otlp = !string.IsNullOrWhiteSpace(builder.Configuration[OtlpEndpointSetting]);
        var prometheus = PrometheusSettings(builder.Configuration);
        if (!otlp && !prometheus.Enabled)
        {
            return builder;
        }

        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(builder.Configuration[ServiceNameSetting] ?? DefaultServiceName))
            .WithMetrics(metrics =>
            {
                metrics.AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddRuntimeInstrumentation()
                    .AddMeter(PlatformMetrics.MeterName, Npgsql, EntityFrameworkCore);
                if (otlp)
                {
                    metrics.AddOtlpExporter();
                }

                if (prometheus.Enabled)
                {
                    metrics.AddPrometheusExporter();
                }
            });

        if (otlp)
        {
            telemetry.WithTracing(tracing => tracing
                .AddAspNetCoreInstrumentation(options => options.Filter = context => !HealthEndpoints.IsProbe(context.Request.Path))
                .AddHttpClientInstrumentation()
                .AddEntityFrameworkCoreInstrumentation()
                .AddSource(Npgsql)
                .AddOtlpExporter());
        }

        if (prometheus.Enabled)
        {
            // In addition to the endpoints in Kestrel:Endpoints; only the scrape path is served on it.
            builder.Services.Configure<KestrelServerOptions>(kestrel =>
                kestrel.Listen(IPAddress.Parse(prometheus.ListenAddress), prometheus.Port));
        }

        return builder;
    }

    /// <summary>First in the pipeline: the scrape listener answers <c>GET /metrics</c> and 404 to anything else.</summary>
    public static IApplicationBuilder UsePrometheusScrapeListener(this WebApplication app)
    {
        var prometheus = PrometheusSettings(app.Configuration);
        if (!prometheus.Enabled)
        {
            return app;
        }

        return app.UseWhen(context => context.Connection.LocalPort == prometheus.Port, scrape =>
        {
            scrape.UseOpenTelemetryPrometheusScrapingEndpoint(context => context.Request.Path == PrometheusOptions.Path);
            scrape.Run(context =>
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            });
        });
    }

    /// <summary>Counts every MCP request by credential kind and outcome; placed outside the MCP refusals so they count too.</summary>
    public static IApplicationBuilder UseMcpRequestMetrics(this IApplicationBuilder app) =>
        app.UseWhen(McpEndpoint.IsMcpPath, mcp => mcp.UseMiddleware<McpRequestMetrics>());

    private static PrometheusOptions PrometheusSettings(IConfiguration configuration)
    {
        var options = configuration.GetSection(PrometheusOptions.Section).Get<PrometheusOptions>() ?? new PrometheusOptions();
        if (options.Enabled && !IPAddress.TryParse(options.ListenAddress, out _))
        {
            throw new InvalidSettingException($"{PrometheusOptions.Section}:ListenAddress", "must be an IP address, such as 127.0.0.1 or 0.0.0.0.");
        }

        if (options.Enabled && options.Port is < 1 or > 65535)
        {
            throw new InvalidSettingException($"{PrometheusOptions.Section}:Port", "must be a TCP port number (1-65535).");
        }

        return options;
    }
}
