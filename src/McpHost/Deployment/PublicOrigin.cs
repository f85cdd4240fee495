using Perspective.Identity;
using Perspective.Identity.Hosting;

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

        var origin = new Uri(PlatformUrls.PublicBaseUrl(builder.Configuration));
        if (!builder.Environment.IsDevelopment() && string.IsNullOrEmpty(builder.Configuration["AllowedHosts"]))
        {
            // ASP.NET Core's host filtering answers 400 to any other Host; an operator can widen it with AllowedHosts.
            builder.Configuration["AllowedHosts"] = string.Join(';', new[] { origin.IdnHost, "localhost", "127.0.0.1", "[::1]" }.Distinct());
        }

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
        var origin = new Uri(PlatformUrls.PublicBaseUrl(app.Configuration));
        if (app.Environment.IsDevelopment() || origin.Scheme != Uri.UriSchemeHttps || !KestrelCertificates.HasHttpsEndpoint(app.Configuration))
        {
            return app;
        }

        var publicBase = PlatformUrls.PublicBaseUrl(app.Configuration);
        app.Use((context, next) =>
        {
            var request = context.Request;
            if (request.IsHttps || request.ContentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) == true ||
                request.Path.StartsWithSegments("/healthz"))
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
    /// From here on the request names the public origin (scheme and host), so nothing downstream can
    /// build a URL from a forged <c>Host</c>. Runs after the checks that judge the real <c>Host</c>.
    /// </summary>
    public static WebApplication UsePublicOrigin(this WebApplication app)
    {
        var origin = new Uri(PlatformUrls.PublicBaseUrl(app.Configuration));
        var host = HostString.FromUriComponent(origin);
        app.Use((context, next) =>
        {
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
}
