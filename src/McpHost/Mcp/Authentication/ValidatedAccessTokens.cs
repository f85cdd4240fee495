using System.Buffers;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Caching.Memory;
using OpenIddict.Abstractions;

namespace Perspective.McpHost.Mcp.Authentication;

/// <summary>What an access token that passed OpenIddict's validation says: whose grant it is, for which resources and scopes.</summary>
public sealed record ValidatedAccessToken(
    string? TokenId, string? AuthorizationId, string? UserId, IReadOnlyList<string> Audiences, IReadOnlyList<string> Scopes)
{
    public static ValidatedAccessToken From(ClaimsPrincipal principal) => new(
        principal.GetTokenId(),
        principal.GetAuthorizationId(),
        principal.GetClaim(OpenIddictConstants.Claims.Subject),
        [.. principal.GetAudiences()],
        [.. principal.GetScopes()]);
}

/// <summary>
/// Remembers, until it expires, that an access token's bytes passed the cryptographic checks
/// (decryption, signature, issuer, lifetime) and what it says, so a client that sends the same
/// token on every MCP request pays for those checks once. It decides nothing about access: whether
/// the token, its grant and the user's workspaces are still valid is read from the database on
/// every request (<see cref="GrantLookup"/>), so revocation stays immediate on every host. Entries
/// are keyed by the token's SHA-256, never by the token itself, and bounded.
/// </summary>
public sealed class ValidatedAccessTokens : IDisposable
{
    private const int Capacity = 20_000;

    private readonly MemoryCache cache = new(new MemoryCacheOptions { SizeLimit = Capacity });

    public bool TryGet(string token, out ValidatedAccessToken validated)
    {
        if (cache.TryGetValue(Key(token), out var found) && found is ValidatedAccessToken remembered)
        {
            validated = remembered;
            return true;
        }

        validated = null!;
        return false;
    }

    /// <summary>Remembers what a token that passed validation says, until <paramref name="expires"/>.</summary>
    public void Remember(string token, ValidatedAccessToken validated, DateTimeOffset expires) =>
        cache.Set(Key(token), validated, new MemoryCacheEntryOptions { AbsoluteExpiration = expires, Size = 1 });

    public void Dispose() => cache.Dispose();

    private static string Key(string token)
    {
        var bytes = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(token.Length));
        try
        {
            Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(bytes.AsSpan(0, Encoding.UTF8.GetBytes(token, bytes)), hash);
            return Convert.ToBase64String(hash);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }
}
