using Microsoft.EntityFrameworkCore;
using OpenIddict.EntityFrameworkCore.Models;
using Perspective.Identity.Storage;
using Perspective.Platform.Hosting;
using Perspective.Platform.Storage;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Perspective.Identity.OAuth;

/// <summary>
/// Revokes a grant and every token issued under it, and records why (<see cref="GrantRevocation"/>),
/// in one short write transaction that starts with the write (SQLite never has to upgrade a read lock).
/// The first revocation wins: the authorization's status moves from valid to revoked in a conditional
/// update that only one caller can make, and only that caller records its reason.
/// </summary>
public sealed class GrantRevocations(IdentityDataContext db, TimeProvider clock, PlatformMetrics metrics)
{
    /// <summary>
    /// Revokes the grant with the reason, at <paramref name="time"/> (now when null). True when this call
    /// revoked it; false when it was not a valid grant (unknown, or revoked already, whose reason stands).
    /// Its tokens are revoked either way, so a token issued while another caller revoked the grant dies too.
    /// </summary>
    public async Task<bool> RevokeAsync(string authorizationId, string reason, DateTime? time, CancellationToken cancellationToken)
    {
        var revokeTime = time ?? clock.UtcNowForStorage();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var revoked = await db.Set<OpenIddictEntityFrameworkCoreAuthorization>()
            .Where(a => a.Id == authorizationId && a.Status == Statuses.Valid)
            .ExecuteUpdateAsync(a => a
                .SetProperty(x => x.Status, Statuses.Revoked)
                .SetProperty(x => x.ConcurrencyToken, Guid.NewGuid().ToString()), cancellationToken) == 1;
        if (revoked)
        {
            var userId = await db.Set<OpenIddictEntityFrameworkCoreAuthorization>().AsNoTracking()
                .Where(a => a.Id == authorizationId).Select(a => a.Subject).SingleAsync(cancellationToken);
            var record = new GrantRevocation { AuthorizationId = authorizationId, UserId = userId ?? "", Reason = reason, RevokeTime = revokeTime };
            db.GrantRevocations.Add(record);
            await db.SaveChangesAsync(cancellationToken);
            db.Entry(record).State = EntityState.Detached;
        }

        await RevokeTokensAsync(db, authorizationId, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        if (revoked)
        {
            metrics.GrantRevoked(reason);
        }

        return revoked;
    }

    /// <summary>Revokes every token of the grant that is not revoked yet.</summary>
    internal static Task<int> RevokeTokensAsync(IdentityDataContext db, string authorizationId, CancellationToken cancellationToken) =>
        db.Set<OpenIddictEntityFrameworkCoreToken>()
            .Where(t => t.Authorization!.Id == authorizationId && t.Status != Statuses.Revoked)
            .ExecuteUpdateAsync(t => t
                .SetProperty(x => x.Status, Statuses.Revoked)
                .SetProperty(x => x.ConcurrencyToken, Guid.NewGuid().ToString()), cancellationToken);
}
