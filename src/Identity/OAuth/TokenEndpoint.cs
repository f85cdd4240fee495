using System.Security.Claims;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Routing;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using Perspective.Identity.Accounts;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Perspective.Identity.OAuth;

/// <summary>
/// The token endpoint after OpenIddict has validated the request: codes and refresh tokens are
/// exchanged only while their user still exists; client credentials get a token for the client.
/// </summary>
internal static class TokenEndpoint
{
    private const string Scheme = OpenIddictServerAspNetCoreDefaults.AuthenticationScheme;

    public static IEndpointRouteBuilder MapTokenEndpoint(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(OAuthServer.TokenPath, ExchangeAsync);
        return endpoints;
    }

    private static async Task<IResult> ExchangeAsync(HttpContext http, UserManager<PlatformUser> users, IOpenIddictApplicationManager applications)
    {
        var request = http.GetOpenIddictServerRequest()
            ?? throw new InvalidOperationException("The OAuth request could not be read.");

        if (request.IsAuthorizationCodeGrantType() || request.IsRefreshTokenGrantType())
        {
            var principal = (await http.AuthenticateAsync(Scheme)).Principal;
            var userId = principal?.GetClaim(Claims.Subject);
            if (principal is null || userId is null || await users.FindByIdAsync(userId) is null)
            {
                return Refuse(Errors.InvalidGrant, "The account this grant belongs to no longer exists.");
            }

            var identity = new ClaimsIdentity(principal.Claims, TokenValidationParameters.DefaultAuthenticationType, Claims.Name, Claims.Role);
            identity.SetDestinations(GrantClaims.Destinations);
            return Results.SignIn(new ClaimsPrincipal(identity), authenticationScheme: Scheme);
        }

        if (request.IsClientCredentialsGrantType())
        {
            var application = await applications.FindByClientIdAsync(request.ClientId!)
                ?? throw new InvalidOperationException("OpenIddict validated a client that does not exist.");
            var identity = new ClaimsIdentity(TokenValidationParameters.DefaultAuthenticationType, Claims.Name, Claims.Role);
            identity.SetClaim(Claims.Subject, request.ClientId)
                .SetClaim(Claims.Name, await applications.GetDisplayNameAsync(application));
            identity.SetScopes(request.GetScopes()).SetResources(OAuthScopes.ManagementResource);
            identity.SetDestinations(GrantClaims.Destinations);
            return Results.SignIn(new ClaimsPrincipal(identity), authenticationScheme: Scheme);
        }

        return Refuse(Errors.UnsupportedGrantType, "This grant type is not supported.");
    }

    private static IResult Refuse(string error, string description) => Results.Forbid(
        new AuthenticationProperties(new Dictionary<string, string?>
        {
            [OpenIddictServerAspNetCoreConstants.Properties.Error] = error,
            [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = description,
        }),
        [Scheme]);
}
