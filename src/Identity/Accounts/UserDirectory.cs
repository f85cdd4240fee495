using Microsoft.EntityFrameworkCore;
using Perspective.Identity.Storage;

namespace Perspective.Identity.Accounts;

/// <summary>Accounts as operators list them: by email, optionally by an email prefix.</summary>
public sealed class UserDirectory(IdentityDataContext db)
{
    /// <summary>One page ordered by normalized email; fetch one more than needed to know if more follow.</summary>
    public Task<List<PlatformUser>> ListAsync(string? emailPrefix, string? afterNormalizedEmail, int limit, CancellationToken cancellationToken)
    {
        var query = db.Users.AsNoTracking();
        if (!string.IsNullOrEmpty(emailPrefix))
        {
            var prefix = emailPrefix.ToUpperInvariant();
            query = query.Where(u => u.NormalizedEmail!.StartsWith(prefix));
        }

        if (afterNormalizedEmail is not null)
        {
            query = query.Where(u => string.Compare(u.NormalizedEmail, afterNormalizedEmail) > 0);
        }

        return query.OrderBy(u => u.NormalizedEmail).Take(limit).ToListAsync(cancellationToken);
    }
}
