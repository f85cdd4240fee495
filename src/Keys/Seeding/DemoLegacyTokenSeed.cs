using System.Security.Cryptography;
using Perspective.Identity.Seeding;
using Perspective.Keys.Storage;
using Perspective.Keys.Tokens;
using Perspective.Platform.Storage;

namespace Perspective.Keys.Seeding;

/// <summary>
/// Gives the demo user a legacy token at the demo user's first seeding only, so the legacy path
/// can be tried locally. Once revoked it stays revoked: nothing else ever creates one.
/// </summary>
public sealed class DemoLegacyTokenSeed(KeysDataContext db, TimeProvider clock)
{
    /// <summary>Returns the new token so it can be shown once, or null when this was not the first seeding.</summary>
    public async Task<string?> SeedAsync(DemoSeedResult demo, CancellationToken cancellationToken = default)
    {
        if (!demo.DemoUserCreated)
        {
            return null;
        }

        // Legacy tokens pre-date the pmk_ format: 48 hex characters, no prefix, no checksum.
        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        db.LegacyTokens.Add(new LegacyToken
        {
            UserId = demo.DemoUserId,
            TokenHash = TokenHashing.Hash(token),
            TokenHint = TokenHashing.Hint(token),
            CreateTime = clock.UtcNowForStorage(),
        });
        await db.SaveChangesAsync(cancellationToken);
        return token;
    }
}
