using System.Collections.Concurrent;

namespace Perspective.Keys.Usage;

/// <summary>Which credential was used: an MCP key (by key id) or a legacy token (by user id).</summary>
public readonly record struct UsedCredential(bool IsLegacyToken, string Id);

/// <summary>A credential's last use as stored: its minute, the MCP client and the address (null when unknown).</summary>
public sealed record StoredUse(DateTime? Time, string? Client, string? Address);

/// <summary>
/// A use not yet written: its minute, the client (null: keep the stored one) and address, and when the
/// oldest unwritten use of the credential happened.
/// </summary>
public readonly record struct PendingUse(DateTime Minute, string? Client, string Address, DateTimeOffset Since);

/// <summary>
/// Remembers when, from where and by which client credentials were last used without writing to the
/// database per request: uses are coalesced here to the minute (the precision users see) and written in
/// batches by <see cref="LastUsedFlusher"/>. A use is pending only when it tells something the stored use
/// does not (a later minute, another address, a client named for the first time or declared anew), so a
/// client calling in a loop leaves at most one write per credential and flush. Pending values are only a
/// display aid, never an access decision.
/// </summary>
public sealed class LastUsedTracker(TimeProvider clock)
{
    private readonly ConcurrentDictionary<UsedCredential, PendingUse> pending = new();

    /// <summary>
    /// Records a use now from <paramref name="address"/>. <paramref name="fallbackClient"/> (a User-Agent's
    /// product) names the client only when none is stored yet: it must not replace a name the client declared.
    /// </summary>
    public void Record(UsedCredential credential, StoredUse stored, string address, string fallbackClient)
    {
        var now = clock.GetUtcNow();
        var minute = TruncateToMinute(now.UtcDateTime);
        var client = string.IsNullOrEmpty(stored.Client) && fallbackClient.Length > 0 ? fallbackClient : null;
        if (stored.Time >= minute && stored.Address == address && client is null)
        {
            return;
        }

        pending.AddOrUpdate(credential, new PendingUse(minute, client, address, now),
            (_, existing) => existing with { Minute = Later(existing.Minute, minute), Address = address, Client = existing.Client ?? client });
    }

    /// <summary>The name a client declared (MCP <c>initialize</c>): it becomes the stored client at the next write.</summary>
    public void RecordDeclaredClient(UsedCredential credential, string address, string client)
    {
        var now = clock.GetUtcNow();
        var minute = TruncateToMinute(now.UtcDateTime);
        pending.AddOrUpdate(credential, new PendingUse(minute, client, address, now),
            (_, existing) => existing with { Minute = Later(existing.Minute, minute), Client = client });
    }

    /// <summary>The stored use with a use not yet written laid over it.</summary>
    public StoredUse Latest(UsedCredential credential, StoredUse stored) =>
        pending.TryGetValue(credential, out var recorded) && (stored.Time is null || recorded.Minute >= stored.Time)
            ? new StoredUse(recorded.Minute, recorded.Client ?? stored.Client, recorded.Address)
            : stored;

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

    /// <summary>Puts uses back after a failed write; a use recorded meanwhile is newer and wins, keeping the older start.</summary>
    public void Restore(IEnumerable<KeyValuePair<UsedCredential, PendingUse>> uses)
    {
        foreach (var (credential, use) in uses)
        {
            pending.AddOrUpdate(credential, use, (_, existing) => existing with
            {
                Minute = Later(existing.Minute, use.Minute),
                Client = existing.Client ?? use.Client,
                Since = existing.Since <= use.Since ? existing.Since : use.Since,
            });
        }
    }

    private static DateTime Later(DateTime a, DateTime b) => a >= b ? a : b;

    private static DateTime TruncateToMinute(DateTime value) =>
        new(value.Ticks - value.Ticks % TimeSpan.TicksPerMinute, DateTimeKind.Utc);
}
