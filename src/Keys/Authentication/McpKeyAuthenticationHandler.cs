using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Perspective.Identity.Access;
using Perspective.Keys.Storage;
using Perspective.Keys.Tokens;
using Perspective.Keys.Usage;
using Perspective.Platform.Http;

namespace Perspective.Keys.Authentication;

/// <summary>
/// Authenticates <c>Authorization: Bearer &lt;MCP key | legacy token&gt;</c>. Malformed keys are refused
/// by the codec before any lookup; a well-formed one costs one SHA-256 and one indexed lookup, which
/// also reads the key's effective workspaces. Both are read from the database on every request, so a
/// deleted key fails at once and a removed membership is gone at once.
/// Failure messages never contain the token.
/// </summary>
public sealed class McpKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    KeysDataContext db,
    LastUsedTracker lastUsed,
    RequestWorkspaces requestWorkspaces)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "McpKey";

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

        return LegacyTokenFormat.IsPlausible(token)
            ? await AuthenticateLegacyTokenAsync(TokenHashing.Hash(token))
            : CredentialFailure.Fail(CredentialFailure.NotACredential, "The bearer token is not an MCP key.");
    }

    private async Task<AuthenticateResult> AuthenticateKeyAsync(byte[] hash)
    {
        var key = await CredentialLookup.FindKeyAsync(db, hash, Context.RequestAborted);
        if (key is null)
        {
            return CredentialFailure.Fail(CredentialFailure.UnknownKey, "The MCP key does not exist or was deleted.");
        }

        lastUsed.Record(new UsedCredential(IsLegacyToken: false, key.Id), key.LastUsedTime);

        // The claims carry the effective set (a subset of the scope, so re-resolving them gives the same
        // answer); the tools take the set itself, read in this same query, instead of asking again.
        var principal = McpClaims.CreatePrincipal(Scheme.Name, key.UserId, McpClaims.CredentialKinds.McpKey, key.Id, key.Reachable.Select(w => w.Id));
        requestWorkspaces.Set(principal, key.Reachable);
        return AuthenticateResult.Success(new AuthenticationTicket(principal, Scheme.Name));
    }

    private async Task<AuthenticateResult> AuthenticateLegacyTokenAsync(byte[] hash)
    {
        var legacy = await CredentialLookup.FindLegacyTokenAsync(db, hash, Context.RequestAborted);
        if (legacy is null)
        {
            return CredentialFailure.Fail(CredentialFailure.UnknownLegacyToken, "The legacy token does not exist or was revoked.");
        }

        lastUsed.Record(new UsedCredential(IsLegacyToken: true, legacy.UserId), legacy.LastUsedTime);
        var principal = McpClaims.CreatePrincipal(Scheme.Name, legacy.UserId, McpClaims.CredentialKinds.LegacyToken, legacy.UserId, workspaces: null);
        return AuthenticateResult.Success(new AuthenticationTicket(principal, Scheme.Name));
    }
}
