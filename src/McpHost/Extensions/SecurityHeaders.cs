using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;
using Perspective.McpHost.Deployment;

namespace Perspective.McpHost.Extensions;

/// <summary>
/// The headers that keep the platform's pages from being framed or misread, set on every response
/// just before it starts, whoever wrote it: Razor pages (sign-in, consent, sign-out), the settings
/// UI's <c>index.html</c> fallback and static files, OpenIddict's authorization error page, error
/// pages, and answers written after <c>Response.Clear()</c> (which keeps the callback).
/// </summary>
/// <remarks>
/// <para>
/// Every response is <c>X-Content-Type-Options: nosniff</c>. Every document (HTML, XHTML, SVG) also
/// gets <c>X-Frame-Options: DENY</c> (replacing the <c>SAMEORIGIN</c> antiforgery adds on a form's
/// first rendering), <c>Referrer-Policy: no-referrer</c> unless the page chose one, and a content
/// security policy: the page's own when it set one (the account pages and the authorization error
/// page set stricter ones), with a <c>frame-ancestors 'none'</c> policy added if it lacks the
/// directive; otherwise <see cref="ContentSecurityPolicy"/> (with its import map's hash on the settings
/// UI's page, <see cref="SettingsUiPage"/>). No page of the platform is meant to be
/// framed: a consent page framed by another origin — another port of the same host is one, and its
/// frames even get the user's SameSite cookies — can have the user's click on "Allow access" stolen.
/// </para>
/// <para>
/// <c>no-referrer</c>: no page needs to tell another site where the user came from, and no address of
/// the platform (the consent page's carries the client's authorization request) is sent anywhere,
/// not even as an origin. Same-origin <c>fetch</c> calls (gRPC-Web) keep their <c>Origin</c> header.
/// </para>
/// </remarks>
public static class SecurityHeaders
{
    /// <summary>
    /// The policy of the settings UI (Blazor WebAssembly) and of any other document without its own.
    /// Nothing is allowed that the UI does not use, and nothing inline: the UI has no inline script
    /// or style, and Blazor changes styles only through the CSSOM, which CSP does not govern.
    /// </summary>
    /// <remarks>
    /// <list type="bullet">
    /// <item><c>default-src 'none'</c>: fonts, media, objects, frames, workers, manifests — none used.</item>
    /// <item><c>script-src 'self' 'wasm-unsafe-eval'</c>: <c>blazor.webassembly.js</c> and the .NET runtime's
    /// modules from <c>_framework</c>; compiling WebAssembly needs <c>'wasm-unsafe-eval'</c>, which allows
    /// WebAssembly compilation only, not JavaScript <c>eval</c>. The settings UI's page adds the hash of its
    /// import map, its one inline script (<see cref="SettingsUiPage"/>).</item>
    /// <item><c>style-src 'self'</c>: <c>css/app.css</c>.</item>
    /// <item><c>img-src 'self' data:</c>: own images and data URIs.</item>
    /// <item><c>connect-src 'self'</c>: the runtime's downloads from <c>_framework</c> and the gRPC-Web calls.</item>
    /// <item><c>base-uri 'self'</c>: the UI's <c>&lt;base href="/"&gt;</c>.</item>
    /// <item><c>form-action 'self'</c>: the UI posts no form elsewhere.</item>
    /// <item><c>frame-ancestors 'none'</c>: never framed.</item>
    /// </list>
    /// </remarks>
    public const string ContentSecurityPolicy =
        "default-src 'none'; " + ScriptSrc + "; style-src 'self'; img-src 'self' data:; " +
        "connect-src 'self'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    private const string ScriptSrc = "script-src 'self' 'wasm-unsafe-eval'";

    public const string ReferrerPolicy = "no-referrer";

    private const string FrameAncestors = "frame-ancestors";

    /// <summary>
    /// <see cref="ContentSecurityPolicy"/> that also allows the one inline script whose hash source
    /// (<c>'sha256-…'</c>) is <paramref name="scriptHash"/>: the settings UI's import map.
    /// </summary>
    public static string ContentSecurityPolicyAllowingScript(string scriptHash)
    {
        if (!scriptHash.StartsWith("'sha256-", StringComparison.Ordinal) || !scriptHash.EndsWith('\''))
        {
            throw new ArgumentException($"'{scriptHash}' is not a CSP hash source.", nameof(scriptHash));
        }

        return ContentSecurityPolicy.Replace(ScriptSrc, $"{ScriptSrc} {scriptHash}", StringComparison.Ordinal);
    }

    /// <summary>Put first in the pipeline, so every later middleware's and endpoint's response is covered.</summary>
    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            context.Response.OnStarting(static state => Apply(((HttpContext)state).Response), context);
            return next(context);
        });

    private static Task Apply(HttpResponse response)
    {
        var headers = response.Headers;
        headers.XContentTypeOptions = "nosniff";
        if (!IsDocument(response.ContentType))
        {
            return Task.CompletedTask;
        }

        headers.XFrameOptions = "DENY";
        if (string.IsNullOrEmpty(headers["Referrer-Policy"]))
        {
            headers["Referrer-Policy"] = ReferrerPolicy;
        }

        // A page's own policy stays as it is; one without frame-ancestors gets a second policy with just
        // that directive (browsers enforce every policy sent, so a second one can only restrict).
        var policies = headers.ContentSecurityPolicy;
        if (policies.Count == 0)
        {
            // The settings UI's page allows its import map by hash; every other document gets the plain policy.
            headers.ContentSecurityPolicy =
                response.HttpContext.GetEndpoint()?.Metadata.GetMetadata<SettingsUiPage>()?.ContentSecurityPolicy ?? ContentSecurityPolicy;
        }
        else if (!policies.Any(policy => HasDirective(policy, FrameAncestors)))
        {
            headers.ContentSecurityPolicy = StringValues.Concat(policies, $"{FrameAncestors} 'none'");
        }

        return Task.CompletedTask;
    }

    /// <summary>Responses a browser renders as a page, and so could frame: HTML, XHTML and SVG.</summary>
    private static bool IsDocument(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var mediaType) &&
        (mediaType.MediaType.Equals("text/html", StringComparison.OrdinalIgnoreCase) ||
         mediaType.MediaType.Equals("application/xhtml+xml", StringComparison.OrdinalIgnoreCase) ||
         mediaType.MediaType.Equals("image/svg+xml", StringComparison.OrdinalIgnoreCase));

    private static bool HasDirective(string? policy, string name) =>
        policy is not null && policy.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Any(directive => directive.Split((char[]?)null, 2)[0].Equals(name, StringComparison.OrdinalIgnoreCase));
}
