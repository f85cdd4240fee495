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
/// Accepts an access token from this platform for the management APIs only when it was issued for
/// them (its audience), so an MCP token never reaches the management APIs (the MCP endpoint has its
/// own handler, which refuses management tokens the same way). OpenIddict validation checks
/// decryption, signature and lifetime; then one query (<see cref="ManagementTokenLookup"/>) checks
/// that the token, and for a user's token its authorization, are still valid in the database, so a
/// revoked token or a disconnected app is refused at once.
/// </summary>
public sealed class OAuthBearerAuthenticationHandler(
    IOptionsMonitor<OAuthBearerOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IdentityDataContext db)
    : AuthenticationHandler<OAuthBearerOptions>(options, logger, encoder)
{
    public const string ManagementScheme = "ManagementOAuth";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        // Only the Authorization header: a token in a URL or a form ends up in logs.
        if (!BearerToken.TryRead(Request, out _))
        {
            return AuthenticateResult.NoResult();
        }

        var result = await Context.AuthenticateAsync(OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme);
        if (result.None)
        {
            return AuthenticateResult.NoResult();
        }

        if (!result.Succeeded || result.Principal is null)
        {
            return CredentialFailure.Fail(CredentialFailure.InvalidAccessToken, "The access token is invalid, expired or revoked.");
        }

        // The identity is named after this scheme, so policies can tell a token from a cookie.
        var principal = new ClaimsPrincipal(new ClaimsIdentity(result.Principal.Claims, Scheme.Name));
        if (!principal.HasAudience(Options.Audience))
        {
            return CredentialFailure.Fail(CredentialFailure.WrongAudience, "The access token was issued for another resource.");
        }

        var tokenId = principal.GetTokenId();
        var authorizationId = principal.GetAuthorizationId();
        var stillValid = tokenId is not null && (authorizationId is null
            ? await ManagementTokenLookup.IsClientTokenValidAsync(db, tokenId)
            : await ManagementTokenLookup.IsUserTokenValidAsync(db, tokenId, authorizationId));
        return stillValid
            ? AuthenticateResult.Success(new AuthenticationTicket(principal, Scheme.Name))
            : CredentialFailure.Fail(CredentialFailure.RevokedAccessToken, "The access token was revoked or its app was disconnected.");
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
