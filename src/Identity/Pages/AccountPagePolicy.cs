using System.Text.RegularExpressions;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Mvc.Filters;

namespace Perspective.Identity.Pages;

/// <summary>
/// The content security policy of the sign-in, sign-out and consent pages: they run no script and load
/// only the account stylesheet, so they allow nothing else. The host adds the other headers
/// (X-Frame-Options, nosniff, Referrer-Policy) and keeps this policy.
/// </summary>
/// <remarks>
/// <c>form-action</c> on the consent page: its form posts to <c>/connect/authorize</c>, which answers
/// Allow and Deny with a redirect to the client's redirect URI (a loopback <c>http</c> address, an
/// <c>https</c> address or a desktop client's custom scheme). Chromium applies <c>form-action</c> to
/// every redirect that follows a form submission, so <c>form-action 'self'</c> alone would block the
/// user's way back to the app and the app would never get its code. The policy therefore also allows
/// the origin (or, for a custom scheme, the scheme) of the request's redirect URI, and nothing else:
/// by the time the page runs, OpenIddict has checked that URI against the client's registration, and
/// it is where the form's answer goes. Hosts given as IPv6 literals (<c>http://[::1]:…</c>) cannot be
/// written in a CSP source expression, so for them the scheme is allowed.
/// </remarks>
internal sealed partial class AccountPagePolicy : IAsyncPageFilter
{
    private const string Policy =
        "default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

    public Task OnPageHandlerSelectionAsync(PageHandlerSelectedContext context) => Task.CompletedTask;

    public Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        var redirectTarget = FormTarget(context.HttpContext.GetOpenIddictServerRequest()?.RedirectUri);
        context.HttpContext.Response.Headers.ContentSecurityPolicy = redirectTarget is null ? Policy : $"{Policy} {redirectTarget}";
        return next();
    }

    /// <summary>The CSP source expression that matches where a redirect to <paramref name="redirectUri"/> goes, or null.</summary>
    internal static string? FormTarget(string? redirectUri)
    {
        if (!Uri.TryCreate(redirectUri, UriKind.Absolute, out var uri))
        {
            return null;
        }

        var scheme = uri.Scheme.ToLowerInvariant();
        if (!SchemePattern().IsMatch(scheme))
        {
            return null;
        }

        if (scheme != Uri.UriSchemeHttp && scheme != Uri.UriSchemeHttps)
        {
            return scheme + ":";
        }

        var host = uri.HostNameType is UriHostNameType.Dns or UriHostNameType.Basic or UriHostNameType.IPv4 ? uri.IdnHost.ToLowerInvariant() : "";
        return HostPattern().IsMatch(host) ? $"{scheme}://{host}:{uri.Port}" : scheme + ":";
    }

    // CSP3 scheme-part and host-part (without wildcards): only these may go into the header.
    [GeneratedRegex("^[a-z][a-z0-9+.-]*$")]
    private static partial Regex SchemePattern();

    [GeneratedRegex("^[a-z0-9-]+(\\.[a-z0-9-]+)*$")]
    private static partial Regex HostPattern();
}
