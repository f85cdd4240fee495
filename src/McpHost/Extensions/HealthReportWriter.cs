using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Perspective.McpHost.Lifecycle;
using Perspective.Platform.Storage;

namespace Perspective.McpHost.Extensions;

/// <summary>
/// <c>GET /healthz</c> and <c>/healthz/ready</c> for load balancers and operators: 200 when the host
/// serves and can reach its database, 503 when it cannot or while it starts or drains, with a JSON body
/// saying which (and nothing about the infrastructure). <c>/healthz/live</c> says only that the process answers.
/// </summary>
public static class HealthReportWriter
{
    public const string DatabaseCheck = "database";

    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        var database = report.Entries.TryGetValue(DatabaseCheck, out var entry) ? entry.Status : HealthStatus.Unhealthy;
        if (entry.Exception is { } outage && DatabaseOutage.IsCause(outage))
        {
            // The health check service's own line per failed poll is off (see appsettings.json); this one is throttled.
            DatabaseOutageResponses.Report(context.RequestServices.GetRequiredService<ILoggerFactory>(), outage, context.Request.Path);
        }

        var notServing = report.Entries.TryGetValue(ReadinessCheck.Name, out var lifecycle) && lifecycle.Status != HealthStatus.Healthy
            ? lifecycle.Description
            : null;
        context.Response.ContentType = "application/json";
        return JsonSerializer.SerializeAsync(context.Response.Body, new HealthResponse(
            report.Status.ToString(),
            new DatabaseHealth(
                context.RequestServices.GetRequiredService<PlatformDatabaseSettings>().Provider.ToString(),
                database.ToString(),
                database == HealthStatus.Healthy ? null : DatabaseOutage.Message),
            notServing),
            HealthJson.Default.HealthResponse, context.RequestAborted);
    }

    public static Task WriteLiveAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        return JsonSerializer.SerializeAsync(context.Response.Body, new LiveResponse(report.Status.ToString()),
            HealthJson.Default.LiveResponse, context.RequestAborted);
    }
}

/// <param name="Host">Absent while the host serves; <c>starting</c> or <c>draining</c> otherwise.</param>
public sealed record HealthResponse(string Status, DatabaseHealth Database, string? Host);

public sealed record LiveResponse(string Status);

public sealed record DatabaseHealth(string Provider, string Status, string? Message);

[System.Text.Json.Serialization.JsonSourceGenerationOptions(
    PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
[System.Text.Json.Serialization.JsonSerializable(typeof(HealthResponse))]
[System.Text.Json.Serialization.JsonSerializable(typeof(LiveResponse))]
internal sealed partial class HealthJson : System.Text.Json.Serialization.JsonSerializerContext;
