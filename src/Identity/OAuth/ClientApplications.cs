using Microsoft.Extensions.Configuration;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Perspective.Identity.OAuth;

/// <summary>The application entry every MCP client gets, however it identified itself (registration or metadata document).</summary>
internal static class ClientApplications
{
    public static OpenIddictApplicationDescriptor McpClient(
        IConfiguration configuration, string clientId, string? clientName, IReadOnlyList<Uri> redirectUris, string? clientSecret)
    {
        var descriptor = new OpenIddictApplicationDescriptor
        {
            ClientId = clientId,
            ClientSecret = clientSecret,
            ClientType = clientSecret is null ? ClientTypes.Public : ClientTypes.Confidential,
            ApplicationType = RedirectUriRules.IsNative(redirectUris) ? ApplicationTypes.Native : ApplicationTypes.Web,
            ConsentType = ConsentTypes.Explicit,
            DisplayName = clientName,
        };
        descriptor.RedirectUris.UnionWith(redirectUris);
        descriptor.Permissions.UnionWith(
        [
            Permissions.Endpoints.Authorization,
            Permissions.Endpoints.Token,
            Permissions.Endpoints.Revocation,
            Permissions.GrantTypes.AuthorizationCode,
            Permissions.GrantTypes.RefreshToken,
            Permissions.ResponseTypes.Code,
            Permissions.Prefixes.Scope + OAuthScopes.Mcp,
            Permissions.Prefixes.Scope + OAuthScopes.McpRead,
            Permissions.Prefixes.Scope + OAuthScopes.McpWrite,
            Permissions.Prefixes.Scope + Scopes.OfflineAccess,
        ]);
        descriptor.AddResourcePermissions(OAuthScopes.McpResource(configuration));
        descriptor.Requirements.Add(Requirements.Features.ProofKeyForCodeExchange);
        return descriptor;
    }
}
