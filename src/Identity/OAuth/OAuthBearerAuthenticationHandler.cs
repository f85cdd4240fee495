using System.Security.Claims;
using System.Text.Encodings.Web;
using Grpc.Core;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using OpenIddict.Validation.AspNetCore;
using Perspective.Identity.Access;
using Perspective.Identity.Storage;
using Perspective.Platform.Grpc;
using Perspective.Platform.Http;

namespace Perspective.Identity.OAuth;

/// <summary>Which audience (RFC 8707 resource) an access token must carry to be accepted by a scheme.</summary>
public sealed class OAuthBearerOptions : AuthenticationSchemeOptions
{
    public string Audience { get; set; } = "";
}

/// <summary>
/// Accepts an access token from this platform only for the audience it was issued for, so an MCP
/// token never reaches the management APIs and a management token never reaches the MCP endpoint.
/// OpenIddict validation checks decryption, signature and lifetime (its result is remembered per
/// token, see <see cref="ValidatedAccessTokens"/>); this handler the audience; then one query (<see cref="GrantLookup"/>)
/// checks that the token and its authorization are still valid in the database, so a revoked token
/// or a disconnected app is refused at once, and reads the request's effective workspaces.
/// </summary>
public sealed class OAuthBearerAuthenticationHandler(
    IOptionsMonitor<OAuthBearerOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IdentityDataContext db,
    RequestWorkspaces requestWorkspaces,
    ValidatedAccessTokens validatedTokens)
    : AuthenticationHandler<OAuthBearerOptions>(options, logger, encoder)
{
    public const string McpScheme = "McpOAuth";
    public const string ManagementScheme = "ManagementOAuth";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        // Only the Authorization header: a token in a URL or a form ends up in logs.
        if (!BearerToken.TryRead(Request, out var bearer))
        {
            return AuthenticateResult.NoResult();
        }

        if (!validatedTokens.TryGet(bearer, out var claims))
        {
            var result = await Context.AuthenticateAsync(OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme);
            if (result.None)
            {
                return AuthenticateResult.NoResult();
            }

            if (!result.Succeeded || result.Principal is null)
            {
                return CredentialFailure.Fail(CredentialFailure.InvalidAccessToken, "The access token is invalid, expired or revoked.");
            }

            claims = result.Principal.Claims.ToList();
            if (result.Principal.GetExpirationDate() is { } expires)
            {
                validatedTokens.Remember(bearer, claims, expires);
            }
        }

        // The identity is named after this scheme, so policies can tell a token from a cookie.
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, Scheme.Name));
        return await CheckGrantAsync(principal);
    }

    /// <summary>The audience of this scheme, then the token and its grant as they are in the database now.</summary>
    private async Task<AuthenticateResult> CheckGrantAsync(ClaimsPrincipal principal)
    {
        if (!principal.HasAudience(Options.Audience))
        {
            return CredentialFailure.Fail(CredentialFailure.WrongAudience, "The access token was issued for another resource.");
        }

        var tokenId = principal.GetTokenId();
        var authorizationId = principal.GetAuthorizationId();
        var userId = principal.GetClaim(OpenIddictConstants.Claims.Subject);
        if (tokenId is null)
        {
            return CredentialFailure.Fail(CredentialFailure.InvalidAccessToken, "The access token is invalid, expired or revoked.");
        }

        if (authorizationId is null)
        {
            return await GrantLookup.IsClientTokenValidAsync(db, tokenId)
                ? AuthenticateResult.Success(new AuthenticationTicket(principal, Scheme.Name))
                : CredentialFailure.Fail(CredentialFailure.RevokedAccessToken, "The access token was revoked.");
        }

        var reachable = await GrantLookup.FindUserGrantAsync(db, tokenId, authorizationId, userId ?? "", Context.RequestAborted);
        if (reachable is null)
        {
            return CredentialFailure.Fail(CredentialFailure.RevokedAccessToken, "The access token was revoked or its app was disconnected.");
        }

        requestWorkspaces.Set(principal, reachable);
        return AuthenticateResult.Success(new AuthenticationTicket(principal, Scheme.Name));
    }

    // The cookie scheme may already have answered a gRPC call with a status; do not overwrite it.
    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        Response.Headers.ContainsKey("grpc-status") ? Task.CompletedTask
        : GrpcResponses.IsGrpcRequest(Request) ? GrpcResponses.WriteStatusAsync(Context, StatusCode.Unauthenticated,
            "This call needs an access token for the management API in 'Authorization: Bearer <token>'. " +
            "Admin calls need the admin scope, from the client-credentials grant of the admin client.")
        : base.HandleChallengeAsync(properties);

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        Response.Headers.ContainsKey("grpc-status") ? Task.CompletedTask
        : GrpcResponses.IsGrpcRequest(Request) ? GrpcResponses.WriteStatusAsync(Context, StatusCode.PermissionDenied,
            "The access token does not carry the scope this call needs.")
        : base.HandleForbiddenAsync(properties);
}
