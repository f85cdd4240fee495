using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Caching.Memory;

namespace Perspective.McpHost.Mcp.Authentication;

/// <summary>
/// Remembers, until it expires, that an access token's bytes passed the cryptographic checks
/// (decryption, signature, issuer, lifetime) and which claims it carries, so a client that sends
/// the same token on every MCP request pays for those checks once. It decides nothing about
/// access: whether the token, its grant and the user's workspaces are still valid is read from
/// the database on every request (<see cref="GrantLookup"/>), so revocation stays immediate on
/// every host. Entries are keyed by the token's SHA-256, never by the token itself, and bounded.
/// </summary>
public sealed class ValidatedAccessTokens : IDisposable
{
    private const int Capacity = 20_000;

    private readonly MemoryCache cache = new(new MemoryCacheOptions { SizeLimit = Capacity });

    public bool TryGet(string token, out IReadOnlyList<Claim> claims)
    {
        if (cache.TryGetValue(Key(token), out var found) && found is Claim[] remembered)
        {
            claims = remembered;
            return true;
        }

        claims = [];
        return false;
    }

    /// <summary>Remembers the claims of a token that passed validation, until <paramref name="expires"/>.</summary>
    public void Remember(string token, IEnumerable<Claim> claims, DateTimeOffset expires)
    {
        // Claims are kept without their identity: each request builds a fresh principal from them.
        var detached = claims.Select(c => new Claim(c.Type, c.Value, c.ValueType, c.Issuer, c.OriginalIssuer)).ToArray();
        cache.Set(Key(token), detached, new MemoryCacheEntryOptions { AbsoluteExpiration = expires, Size = 1 });
    }

    public void Dispose() => cache.Dispose();

    private static string Key(string token) => Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}
