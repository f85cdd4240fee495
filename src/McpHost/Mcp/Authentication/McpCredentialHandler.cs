using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using OpenIddict.Validation.AspNetCore;
using Perspective.Identity.Access;
using Perspective.Identity.OAuth;
using Perspective.Identity.Storage;
using Perspective.Keys.Authentication;
using Perspective.Keys.Management;
using Perspective.Keys.Storage;
using Perspective.Keys.Tokens;
using Perspective.Keys.Usage;
using Perspective.Platform.Http;

namespace Perspective.McpHost.Mcp.Authentication;

/// <summary>The audience (RFC 8707 resource) an OAuth access token must carry to reach the MCP endpoint.</summary>
public sealed class McpCredentialOptions : AuthenticationSchemeOptions
{
    public string Audience { get; set; } = "";
}

/// <summary>
/// Authenticates every MCP request from its <c>Authorization: Bearer</c> header, read once, whatever
/// the credential: an MCP key, the legacy token, or an OAuth access token for the MCP resource. Each
/// costs one database read, which finds the credential (still valid: a deleted key, a revoked token or
/// a disconnected app fails at once) together with its effective workspaces, and becomes the request's
/// <see cref="McpCaller"/>. Malformed keys are refused before any read; an access token's cryptographic
/// checks are remembered per token (<see cref="ValidatedAccessTokens"/>). Failures carry a reason
/// (<see cref="CredentialFailure"/>) and never the credential; <see cref="McpChallenge"/> answers them.
/// </summary>
public sealed class McpCredentialHandler(
    IOptionsMonitor<McpCredentialOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    LastUsedTracker lastUsed,
    ValidatedAccessTokens validatedTokens,
    McpChallenge challenge,
    TimeProvider clock)
    : AuthenticationHandler<McpCredentialOptions>(options, logger, encoder)
{
    public const string SchemeName = "Mcp";

    private const string LegacyTokenName = "Legacy token";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!BearerToken.IsPresent(Request))
        {
            return AuthenticateResult.NoResult();
        }

        if (!BearerToken.TryRead(Request, out var token))
        {
            return CredentialFailure.Fail(CredentialFailure.MalformedHeader, "The Authorization header is not of the form 'Bearer <token>'.");
        }

        if (token.StartsWith(McpKeyToken.Prefix, StringComparison.Ordinal))
        {
            return McpKeyToken.IsWellFormed(token)
                ? await AuthenticateKeyAsync(TokenHashing.Hash(token))
                : CredentialFailure.Fail(CredentialFailure.MalformedKey, "The MCP key is malformed.");
        }

        if (IsAccessToken(token))
        {
            return await AuthenticateAccessTokenAsync(token);
        }

        return LegacyTokenFormat.IsPlausible(token)
            ? await AuthenticateLegacyTokenAsync(TokenHashing.Hash(token))
            : CredentialFailure.Fail(CredentialFailure.NotACredential, "The bearer token is not an MCP key.");
    }

    /// <summary>OAuth access tokens are JWTs (three dot-separated parts, five when encrypted); MCP keys and legacy tokens have no dot.</summary>
    public static bool IsAccessToken(string token) => token.Count(c => c == '.') is 2 or 4;

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties) =>
        await challenge.WriteChallengeAsync(Context, await HandleAuthenticateOnceSafeAsync());

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) => challenge.WriteForbiddenAsync(Context);

    private async Task<AuthenticateResult> AuthenticateKeyAsync(byte[] hash)
    {
        var db = Context.RequestServices.GetRequiredService<KeysDataContext>();
        var key = await CredentialLookup.FindKeyAsync(db, hash, Context.RequestAborted);
        if (key is null)
        {
            return CredentialFailure.Fail(CredentialFailure.UnknownKey, "The MCP key does not exist or was deleted.");
        }

        if (McpKeyManager.HasExpired(key.ExpireTime, clock.GetUtcNow()))
        {
            return CredentialFailure.Fail(CredentialFailure.ExpiredKey,
                $"The MCP key '{key.Name}' expired on {key.ExpireTime:yyyy-MM-dd HH:mm} UTC. Create a new key in Settings → MCP and put it in your client in place of this one.");
        }

        lastUsed.Record(new UsedCredential(IsLegacyToken: false, key.Id), key.LastUse, McpRequestClient.Address(Context), FallbackClient(key.LastUse));
        var scopes = key.Access == KeyAccess.ReadOnly ? McpCaller.ReadOnly : McpCaller.ReadWrite;
        return Success(new McpCaller(key.UserId, McpCredentialKind.McpKey, key.Id, key.Name, key.Reachable, scopes));
    }

    private async Task<AuthenticateResult> AuthenticateLegacyTokenAsync(byte[] hash)
    {
        var db = Context.RequestServices.GetRequiredService<KeysDataContext>();
        var legacy = await CredentialLookup.FindLegacyTokenAsync(db, hash, Context.RequestAborted);
        if (legacy is null)
        {
            return CredentialFailure.Fail(CredentialFailure.UnknownLegacyToken, "The legacy token does not exist or was revoked.");
        }

        lastUsed.Record(new UsedCredential(IsLegacyToken: true, legacy.UserId), legacy.LastUse, McpRequestClient.Address(Context), FallbackClient(legacy.LastUse));
        return Success(new McpCaller(legacy.UserId, McpCredentialKind.LegacyToken, legacy.UserId, LegacyTokenName, legacy.Reachable, McpCaller.ReadWrite));
    }

    private async Task<AuthenticateResult> AuthenticateAccessTokenAsync(string token)
    {
        if (!validatedTokens.TryGet(token, out var validated))
        {
            var result = await Context.AuthenticateAsync(OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme);
            if (!result.Succeeded || result.Principal is null)
            {
                return CredentialFailure.Fail(CredentialFailure.InvalidAccessToken, "The access token is invalid, expired or revoked.");
            }

            validated = ValidatedAccessToken.From(result.Principal);
            if (result.Principal.GetExpirationDate() is { } expires)
            {
                validatedTokens.Remember(token, validated, expires);
            }
        }

        if (!validated.Audiences.Contains(Options.Audience))
        {
            return CredentialFailure.Fail(CredentialFailure.WrongAudience, "The access token was issued for another resource.");
        }

        // Only a user's grant reaches workspaces: a client-credentials token (admin tooling) has no user.
        if (validated is not { TokenId: { } tokenId, AuthorizationId: { } authorizationId, UserId: { } userId })
        {
            return CredentialFailure.Fail(CredentialFailure.InvalidAccessToken, "The access token is not a user's grant.");
        }

        var db = Context.RequestServices.GetRequiredService<IdentityDataContext>();
        var grant = await GrantLookup.FindUserGrantAsync(db, tokenId, authorizationId, userId, Context.RequestAborted);
        return grant is null
            ? CredentialFailure.Fail(CredentialFailure.RevokedAccessToken, "The access token was revoked or its app was disconnected.")
            : Success(new McpCaller(userId, McpCredentialKind.OAuth, authorizationId, grant.AppName, grant.Reachable,
                OAuthScopes.WithinGrant(validated.Scopes, grant.Scopes)));
    }

    // The User-Agent names the client only while no name is stored: read it only then (not on every request).
    private string FallbackClient(StoredUse stored) => string.IsNullOrEmpty(stored.Client) ? McpRequestClient.Name(Context) : "";

    private AuthenticateResult Success(McpCaller caller) =>
        AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new McpCallerIdentity(caller, Scheme.Name)), Scheme.Name));
}
