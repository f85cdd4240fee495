using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Perspective.McpHost.Extensions;

namespace Perspective.McpHost.Lifecycle;

/// <summary>
/// What load balancers poll: <c>/healthz/live</c> (the process answers), <c>/healthz/ready</c> (the
/// database answers with its schema, the host is neither starting nor draining) and <c>/healthz</c>,
/// the same as ready for scripts and older balancer setups. Only <c>GET</c> and <c>HEAD</c>.
/// </summary>
public static class HealthEndpoints
{
    public const string Path = "/healthz";

    /// <summary>A health probe: never redirected, never traced, answered whatever <c>Host</c> a balancer sends.</summary>
    public static bool IsProbe(PathString path) => path.StartsWithSegments(Path);

    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var ready = new HealthCheckOptions { ResponseWriter = HealthReportWriter.WriteAsync };
        // Live: no check runs, so a database outage never gets the host restarted.
        var live = new HealthCheckOptions { Predicate = _ => false, ResponseWriter = HealthReportWriter.WriteLiveAsync };
        foreach (var (path, options) in new[] { (Path, ready), (Path + "/ready", ready), (Path + "/live", live) })
        {
            endpoints.MapHealthChecks(path, options).WithMetadata(new HttpMethodMetadata([HttpMethods.Get, HttpMethods.Head]));

            // Any other method is a mistake: 405 at once, the body left unread.
            endpoints.MapMethods(path, [HttpMethods.Post, HttpMethods.Put, HttpMethods.Patch, HttpMethods.Delete], context =>
            {
                context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
                context.Response.Headers.Allow = "GET, HEAD";
                return Task.CompletedTask;
            });
        }

        return endpoints;
    }
}
