using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using OpenIddict.EntityFrameworkCore.Models;
using OpenIddict.Server.AspNetCore;
using Perspective.Identity.Accounts;
using Perspective.Identity.Storage;
using Perspective.Platform.Storage;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Perspective.Identity.OAuth;

/// <summary>
/// The token endpoint after OpenIddict has validated the request: codes and refresh tokens are
/// exchanged only while their user still exists and their grant is within its absolute lifetime; a
/// refresh token is redeemed here, atomically, before new tokens are issued (see
/// <see cref="RefreshTokenRedemption"/>), and the new tokens carry no more MCP access than the grant
/// holds now (<see cref="OAuthScopes.WithinGrant"/>); client credentials get a token for the client.
/// </summary>
internal static class TokenEndpoint
{
    private const string Scheme = OpenIddictServerAspNetCoreDefaults.AuthenticationScheme;

    public static IEndpointRouteBuilder MapTokenEndpoint(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(OAuthServer.TokenPath, ExchangeAsync);
        return endpoints;
    }

    private static async Task<IResult> ExchangeAsync(
        HttpContext http, UserManager<PlatformUser> users, IOpenIddictApplicationManager applications, IdentityDataContext db,
        GrantRevocations revocations, IOptions<GrantLifetimes> lifetimes, TimeProvider clock)
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
            if (principal.GetAuthorizationId() is { } authorizationId)
            {
                var now = clock.UtcNowForStorage();
                var grant = await db.Set<OpenIddictEntityFrameworkCoreAuthorization>().AsNoTracking()
                    .Where(a => a.Id == authorizationId).Select(a => new { a.CreationDate, a.Scopes }).FirstOrDefaultAsync(http.RequestAborted);
                var connectTime = grant?.CreationDate ?? now;
                var absoluteEnd = lifetimes.Value.AbsoluteEnd(connectTime);
                if (now >= absoluteEnd)
                {
                    await revocations.RevokeAsync(authorizationId, GrantRevocationReasons.Lapsed, absoluteEnd, http.RequestAborted);
                    return Refuse(Errors.InvalidGrant, "This connection reached its lifetime limit. Connect the app again.");
                }

                if (request.IsRefreshTokenGrantType() &&
                    (principal.GetTokenId() is not { } tokenId || !await RefreshTokenRedemption.TryRedeemAsync(db, tokenId, now, http.RequestAborted)))
                {
                    // Another request redeemed this refresh token first: a copy of it is in other hands.
                    await revocations.RevokeAsync(authorizationId, GrantRevocationReasons.RefreshTokenReuse, time: null, http.RequestAborted);
                    return Refuse(Errors.InvalidGrant, "This refresh token was already used, so the app's connection was revoked. Connect the app again.");
                }

                // A later consent may have narrowed the grant (read only instead of read & write): tokens
                // issued before it refresh into the narrower access, never the other way round.
                identity.SetScopes(OAuthScopes.WithinGrant(principal.GetScopes(), GrantScopes(grant?.Scopes)));

                // No token outlives the grant's absolute limit.
                var left = absoluteEnd - now;
                identity.SetAccessTokenLifetime(Min(lifetimes.Value.AccessTokenLifetime, left))
                    .SetRefreshTokenLifetime(Min(lifetimes.Value.RefreshTokenSlidingLifetime, left));
            }

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

    private static string[] GrantScopes(string? json) => json is null ? [] : JsonSerializer.Deserialize<string[]>(json) ?? [];

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static IResult Refuse(string error, string description) => Results.Forbid(
        new AuthenticationProperties(new Dictionary<string, string?>
        {
            [OpenIddictServerAspNetCoreConstants.Properties.Error] = error,
            [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = description,
        }),
        [Scheme]);
}
