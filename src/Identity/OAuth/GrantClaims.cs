using System.Security.Claims;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Perspective.Identity.OAuth;

/// <summary>
/// The claims an OAuth grant puts in its access tokens: the user, the scopes, the resources and the
/// grant (authorization) id. The workspaces are not in the token: the MCP endpoint reads the grant's
/// consented workspaces from the database on every request, so a change takes effect at once.
/// </summary>
internal static class GrantClaims
{
    public static ClaimsIdentity ForUser(string userId, string authorizationId, IEnumerable<string> scopes, IEnumerable<string> resources)
    {
        var identity = new ClaimsIdentity(TokenValidationParameters.DefaultAuthenticationType, Claims.Name, Claims.Role);
        identity.SetClaim(Claims.Subject, userId);
        identity.SetScopes(scopes).SetResources(resources).SetAuthorizationId(authorizationId);
        identity.SetDestinations(Destinations);
        return identity;
    }

    /// <summary>Everything goes into access tokens only; there are no identity tokens here.</summary>
    public static IEnumerable<string> Destinations(Claim claim) => [OpenIddictConstants.Destinations.AccessToken];
}
