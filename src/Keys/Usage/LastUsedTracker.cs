using System.Collections.Concurrent;

namespace Perspective.Keys.Usage;

/// <summary>Which credential was used: an MCP key (by key id) or a legacy token (by user id).</summary>
public readonly record struct UsedCredential(bool IsLegacyToken, string Id);

/// <summary>A use not yet written: its minute (what is stored) and when the oldest unwritten use of the credential happened.</summary>
public readonly record struct PendingUse(DateTime Minute, DateTimeOffset Since);

/// <summary>
/// Remembers when credentials were last used without writing to the database per request:
/// uses are coalesced here to the minute (the precision users see) and written in batches by
/// <see cref="LastUsedFlusher"/>. Pending values are only a display aid, never an access decision.
/// </summary>
public sealed class LastUsedTracker(TimeProvider clock)
{
    private readonly ConcurrentDictionary<UsedCredential, PendingUse> pending = new();

    /// <summary>Records a use now, unless <paramref name="storedLastUse"/> already holds this minute.</summary>
    public void Record(UsedCredential credential, DateTime? storedLastUse)
    {
        var now = clock.GetUtcNow();
        var minute = TruncateToMinute(now.UtcDateTime);
        if (storedLastUse >= minute)
        {
            return;
        }

        pending.AddOrUpdate(credential, new PendingUse(minute, now),
            (_, existing) => existing.Minute >= minute ? existing : existing with { Minute = minute });
    }

    /// <summary>The later of the stored time and a use not yet written.</summary>
    public DateTime? LatestUse(UsedCredential credential, DateTime? storedLastUse) =>
        pending.TryGetValue(credential, out var recorded) && (storedLastUse is null || recorded.Minute > storedLastUse) ? recorded.Minute : storedLastUse;

    /// <summary>Takes every pending use; a use recorded meanwhile stays pending for the next batch.</summary>
    public IReadOnlyList<KeyValuePair<UsedCredential, PendingUse>> TakePending()
    {
        var taken = new List<KeyValuePair<UsedCredential, PendingUse>>();
        foreach (var entry in pending)
        {
            if (pending.TryRemove(entry))
            {
                taken.Add(entry);
            }
        }

        return taken;
    }

    /// <summary>Puts uses back after a failed write, keeping the later time where one was recorded meanwhile.</summary>
    public void Restore(IEnumerable<KeyValuePair<UsedCredential, PendingUse>> uses)
    {
        foreach (var (credential, use) in uses)
        {
            pending.AddOrUpdate(credential, use, (_, existing) => new PendingUse(
                existing.Minute >= use.Minute ? existing.Minute : use.Minute,
                existing.Since <= use.Since ? existing.Since : use.Since));
        }
    }

    private static DateTime TruncateToMinute(DateTime value) =>
        new(value.Ticks - value.Ticks % TimeSpan.TicksPerMinute, DateTimeKind.Utc);
}
