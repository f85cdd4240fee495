using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Perspective.Identity.Storage;

namespace Perspective.McpHost.Extensions;

/// <summary>
/// <c>GET /healthz</c> for load balancers and operators: 200 when the host can reach its database,
/// 503 when it cannot, with a JSON body saying which (and nothing about the infrastructure).
/// </summary>
public static class HealthReportWriter
{
    public const string DatabaseCheck = "database";

    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        var database = report.Entries.TryGetValue(DatabaseCheck, out var entry) ? entry.Status : HealthStatus.Unhealthy;
        context.Response.ContentType = "application/json";
        return JsonSerializer.SerializeAsync(context.Response.Body, new HealthResponse(
            report.Status.ToString(),
            new DatabaseHealth(
                context.RequestServices.GetRequiredService<PlatformDatabaseSettings>().Provider.ToString(),
                database.ToString(),
                database == HealthStatus.Healthy ? null : DatabaseOutage.Message)),
            HealthJson.Default.HealthResponse, context.RequestAborted);
    }
}

public sealed record HealthResponse(string Status, DatabaseHealth Database);

public sealed record DatabaseHealth(string Provider, string Status, string? Message);

[System.Text.Json.Serialization.JsonSourceGenerationOptions(
    PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
[System.Text.Json.Serialization.JsonSerializable(typeof(HealthResponse))]
internal sealed partial class HealthJson : System.Text.Json.Serialization.JsonSerializerContext;
