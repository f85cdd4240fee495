using System.Security.Claims;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using Perspective.Identity.Access;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Perspective.Identity.OAuth;

/// <summary>The claims an OAuth grant puts in its access tokens: the same MCP claims keys carry.</summary>
internal static class GrantClaims
{
    public static ClaimsIdentity ForUser(string userId, string authorizationId, IEnumerable<Guid> workspaces, IEnumerable<string> scopes, IEnumerable<string> resources)
    {
        var identity = new ClaimsIdentity(TokenValidationParameters.DefaultAuthenticationType, Claims.Name, Claims.Role);
        identity.SetClaim(Claims.Subject, userId)
            .SetClaim(McpClaims.Credential, McpClaims.CredentialKinds.OAuth)
            .SetClaim(McpClaims.CredentialId, authorizationId);
        foreach (var workspace in workspaces)
        {
            identity.AddClaim(new Claim(McpClaims.Workspace, workspace.ToString()));
        }

        identity.SetScopes(scopes).SetResources(resources).SetAuthorizationId(authorizationId);
        identity.SetDestinations(Destinations);
        return identity;
    }

    /// <summary>Everything goes into access tokens only; there are no identity tokens here.</summary>
    public static IEnumerable<string> Destinations(Claim claim) => [OpenIddictConstants.Destinations.AccessToken];
}
