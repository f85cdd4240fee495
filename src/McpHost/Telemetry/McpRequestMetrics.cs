using Perspective.McpHost.Mcp;
using Perspective.Platform.Hosting;

namespace Perspective.McpHost.Telemetry;

/// <summary>
/// Counts every request to the MCP endpoint once it is answered, by the kind of credential that
/// authenticated it (<c>none</c> when none did) and by outcome, so refusals at the edge (foreign
/// origin, too large, 401, 429) count as well as served calls.
/// </summary>
public sealed class McpRequestMetrics(RequestDelegate next, PlatformMetrics metrics)
{
    public const string NoCredential = "none";

    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch
        {
            metrics.McpRequest(CredentialKind(context), PlatformMetrics.McpOutcomes.Error);
            throw;
        }

        metrics.McpRequest(CredentialKind(context), PlatformMetrics.McpOutcomes.Of(context.Response.StatusCode));
    }

    private static string CredentialKind(HttpContext context) =>
        context.User.FindCaller() is { } caller ? McpCaller.Name(caller.Kind) : NoCredential;
}
