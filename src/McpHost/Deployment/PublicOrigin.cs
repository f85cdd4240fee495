using Perspective.McpHost.Lifecycle;
using Perspective.Platform.Hosting;

namespace Perspective.McpHost.Deployment;

/// <summary>
/// Makes <c>Platform:PublicBaseUrl</c> the only origin the platform speaks for. Every absolute URL
/// (OAuth discovery, the sign-in redirect, token issuers) is built from it rather than from the
/// request's <c>Host</c> header, which a client or a cache in between controls. Outside Development
/// only the public host (and loopback names, for local probes and grpcurl) is accepted, plain-http
/// requests are redirected to it when an https endpoint exists, and https responses carry HSTS.
/// </summary>
public static class PublicOrigin
{
    public static IHostApplicationBuilder AddPublicOrigin(this IHostApplicationBuilder builder)
    {
        PublicBaseUrlSetting.Validate(builder.Configuration, builder.Environment);
        KestrelCertificates.Validate(builder.Configuration, builder.Environment);

        builder.Services.AddHsts(options =>
        {
            options.MaxAge = TimeSpan.FromDays(365);
            options.IncludeSubDomains = false;
            // The public host may be a loopback name on a trial deployment; HSTS is still what it asked for.
            options.ExcludedHosts.Clear();
        });
        return builder;
    }

    /// <summary>
    /// Sends plain-http browser and MCP requests to the https origin (308 keeps the method and body).
    /// Native gRPC (its own HTTP/2 endpoint) and health probes from a balancer are left alone.
    /// </summary>
    public static WebApplication UseHttpsRedirectionToPublicOrigin(this WebApplication app)
    {
        var publicBase = PlatformUrls.PublicBaseUrl(app.Configuration);
        if (app.Environment.IsDevelopment() || !publicBase.StartsWith("https://", StringComparison.OrdinalIgnoreCase) ||
            !KestrelCertificates.HasHttpsEndpoint(app.Configuration))
        {
            return app;
        }

        app.Use((context, next) =>
        {
            var request = context.Request;
            if (request.IsHttps || request.ContentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) == true ||
                HealthEndpoints.IsProbe(request.Path))
            {
                return next(context);
            }

            context.Response.StatusCode = StatusCodes.Status308PermanentRedirect;
            context.Response.Headers.Location = publicBase + request.PathBase + request.Path + request.QueryString;
            return Task.CompletedTask;
        });
        return app;
    }

    /// <summary>
    /// Outside Development, a request whose <c>Host</c> names neither the public host nor a loopback
    /// name gets 400, health probes excepted (unless the operator configured ASP.NET Core's own
    /// <c>AllowedHosts</c>, which then decides; <c>/mcp</c> answers its own 403 earlier). From here on the request names the
    /// public origin, so nothing downstream can build a URL from a forged <c>Host</c>.
    /// </summary>
    public static WebApplication UsePublicOrigin(this WebApplication app)
    {
        var origin = new Uri(PlatformUrls.PublicBaseUrl(app.Configuration));
        var host = HostString.FromUriComponent(origin);
        var checkHost = !app.Environment.IsDevelopment() && string.IsNullOrEmpty(app.Configuration["AllowedHosts"]);
        var badHost = $"Bad Request: the Host header does not name this server. Use {origin.GetLeftPart(UriPartial.Authority)}/.";
        app.Use((context, next) =>
        {
            // A balancer probes health by the backend's own address; those answers build no URL.
            if (checkHost && !HealthEndpoints.IsProbe(context.Request.Path) && !IsPublicOrLoopback(context.Request.Host, origin))
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                context.Response.ContentType = "text/plain; charset=utf-8";
                return context.Response.WriteAsync(badHost);
            }

            context.Request.Scheme = origin.Scheme;
            context.Request.Host = host;
            return next(context);
        });

        if (PublicBaseUrlSetting.IsSecureDeployment(app.Configuration, app.Environment))
        {
            app.UseHsts();
        }

        return app;
    }

    private static bool IsPublicOrLoopback(HostString requestHost, Uri origin) =>
        requestHost.HasValue &&
        (string.Equals(requestHost.Host.Trim('[', ']'), origin.IdnHost.Trim('[', ']'), StringComparison.OrdinalIgnoreCase) ||
         PublicBaseUrlSetting.IsLoopback(requestHost.Host));
}
