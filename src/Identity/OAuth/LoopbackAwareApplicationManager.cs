using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using OpenIddict.Core;
using OpenIddict.EntityFrameworkCore.Models;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Perspective.Identity.OAuth;

/// <summary>
/// Lets native apps come back on any loopback port (RFC 8252 §7.3): desktop MCP clients pick a free
/// port for each sign-in, so for a native app a loopback redirect URI matches a registered one
/// that differs only in its port. Everything else still has to match exactly.
/// </summary>
public sealed class LoopbackAwareApplicationManager(
    IOpenIddictApplicationCache<OpenIddictEntityFrameworkCoreApplication> cache,
    ILogger<OpenIddictApplicationManager<OpenIddictEntityFrameworkCoreApplication>> logger,
    IOptionsMonitor<OpenIddictCoreOptions> options,
    IOpenIddictApplicationStore<OpenIddictEntityFrameworkCoreApplication> store)
    : OpenIddictApplicationManager<OpenIddictEntityFrameworkCoreApplication>(cache, logger, options, store)
{
    /// <summary>
    /// A client id with control characters names no client (ids are URLs or generated), and PostgreSQL
    /// cannot compare text containing NUL: it is unknown without a query.
    /// </summary>
    public override ValueTask<OpenIddictEntityFrameworkCoreApplication?> FindByClientIdAsync(string identifier, CancellationToken cancellationToken = default) =>
        identifier.Any(char.IsControl) ? ValueTask.FromResult<OpenIddictEntityFrameworkCoreApplication?>(null) : base.FindByClientIdAsync(identifier, cancellationToken);

    /// <summary>
    /// Apps stored before the MCP scopes were split hold only the <c>mcp</c> permission, which always
    /// meant reading and writing; it keeps permitting <c>mcp:read</c> and <c>mcp:write</c>. Enforced here
    /// rather than by migrating the stored permissions: every check (OpenIddict's at the authorization and
    /// token endpoints, and <see cref="ScopeAndResourceErrors"/>) asks this manager, and the permissions
    /// column is a JSON array that a data migration would have to rewrite with provider-specific SQL.
    /// </summary>
    public override async ValueTask<bool> HasPermissionAsync(
        OpenIddictEntityFrameworkCoreApplication application, string permission, CancellationToken cancellationToken = default) =>
        await base.HasPermissionAsync(application, permission, cancellationToken) ||
        (permission is Permissions.Prefixes.Scope + OAuthScopes.McpRead or Permissions.Prefixes.Scope + OAuthScopes.McpWrite &&
         await base.HasPermissionAsync(application, Permissions.Prefixes.Scope + OAuthScopes.Mcp, cancellationToken));

    public override async ValueTask<bool> ValidateRedirectUriAsync(
        OpenIddictEntityFrameworkCoreApplication application, string uri, CancellationToken cancellationToken = default)
    {
        if (await base.ValidateRedirectUriAsync(application, uri, cancellationToken))
        {
            return true;
        }

        // Loopback as written, not as Uri reads it: Uri takes the host name "loopback" for localhost.
        if (!Uri.TryCreate(uri, UriKind.Absolute, out var requested) || !RedirectUriRules.IsLoopbackHttp(uri, requested) ||
            !await HasApplicationTypeAsync(application, ApplicationTypes.Native, cancellationToken))
        {
            return false;
        }

        foreach (var registered in await GetRedirectUrisAsync(application, cancellationToken))
        {
            if (Uri.TryCreate(registered, UriKind.Absolute, out var candidate) && RedirectUriRules.IsLoopbackHttp(registered, candidate) &&
                string.Equals(candidate.Host, requested.Host, StringComparison.OrdinalIgnoreCase) &&
                candidate.PathAndQuery == requested.PathAndQuery)
            {
                return true;
            }
        }

        return false;
    }
}
