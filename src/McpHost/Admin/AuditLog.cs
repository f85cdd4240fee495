using Microsoft.EntityFrameworkCore;
using Perspective.Platform.Grpc;
using Perspective.Platform.Storage;

namespace Perspective.McpHost.Admin;

/// <summary>Records and lists admin calls.</summary>
public sealed class AuditLog(AdminDataContext db, TimeProvider clock)
{
    public async Task RecordAsync(string actor, string action, string target, string outcome, CancellationToken cancellationToken)
    {
        db.AuditEvents.Add(new AuditEvent
        {
            Id = Guid.CreateVersion7().ToString("N"),
            Actor = actor,
            Action = action,
            Target = target.Length > AuditEvent.TargetMaxLength ? target[..AuditEvent.TargetMaxLength] : target,
            Outcome = outcome,
            Time = clock.UtcNowForStorage(),
        });
        await db.SaveChangesAsync(cancellationToken);
    }

    public Task<List<AuditEvent>> ListAsync(NewestFirstCursor? after, int limit, CancellationToken cancellationToken)
    {
        var query = db.AuditEvents.AsNoTracking();
        if (after is not null)
        {
            query = query.Where(a => a.Time < after.Time || (a.Time == after.Time && string.Compare(a.Id, after.Id) < 0));
        }

        return query.OrderByDescending(a => a.Time).ThenByDescending(a => a.Id).Take(limit).ToListAsync(cancellationToken);
    }
}
