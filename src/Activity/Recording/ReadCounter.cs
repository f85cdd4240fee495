using System.Collections.Concurrent;

namespace Perspective.Activity.Recording;

/// <summary>What one count is about: a credential's calls of one reading tool on one UTC day, and whose credential it is.</summary>
public readonly record struct ReadCountKey(ActivityCredential Credential, string Tool, DateOnly Day, string UserId);

/// <summary>
/// Counts reading tool calls without writing to the database per request: calls are added up here per
/// credential, tool and day, and <see cref="ReadCountFlusher"/> adds the sums to the stored counters in
/// batches. Counts not yet written are shown with the stored ones, like last-used times.
/// </summary>
public sealed class ReadCounter(TimeProvider clock)
{
    // A box per key, so that counting a call is one compare-and-swap, with no allocation after the first call of the day.
    private readonly ConcurrentDictionary<ReadCountKey, Count> pending = new();

    /// <summary>Counts one call of <paramref name="tool"/> by <paramref name="credential"/> now.</summary>
    public void Increment(ActivityCredential credential, string userId, string tool)
    {
        var key = new ReadCountKey(credential, tool, DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime), userId);
        Add(key, 1);
    }

    /// <summary>Takes every pending count; calls counted meanwhile stay pending for the next batch.</summary>
    public IReadOnlyList<KeyValuePair<ReadCountKey, long>> TakePending()
    {
        var taken = new List<KeyValuePair<ReadCountKey, long>>();
        foreach (var (key, count) in pending)
        {
            if (pending.TryRemove(new KeyValuePair<ReadCountKey, Count>(key, count)))
            {
                taken.Add(new(key, count.Close()));
            }
        }

        return taken;
    }

    /// <summary>Puts counts back after a failed write, added to what was counted meanwhile.</summary>
    public void Restore(IEnumerable<KeyValuePair<ReadCountKey, long>> counts)
    {
        foreach (var (key, value) in counts)
        {
            Add(key, value);
        }
    }

    // A flush removes a box before closing it, so a closed box is never found here again: the second try gets a new one.
    private void Add(ReadCountKey key, long amount)
    {
        while (!pending.GetOrAdd(key, static _ => new Count()).TryAdd(amount))
        {
        }
    }

    /// <summary>The counts of <paramref name="credential"/> not yet written, per tool and day.</summary>
    public IReadOnlyList<KeyValuePair<ReadCountKey, long>> PendingFor(ActivityCredential credential) =>
        pending.Where(p => p.Key.Credential == credential).Select(p => new KeyValuePair<ReadCountKey, long>(p.Key, p.Value.Value)).Where(p => p.Value > 0).ToList();

    /// <summary>
    /// A count that a flush can close: once closed, increments are refused (and go into a new box),
    /// so no call is counted into a box after its value was taken.
    /// </summary>
    private sealed class Count
    {
        private const long Closed = long.MinValue;
        private long value;

        public long Value => Math.Max(Interlocked.Read(ref value), 0);

        public bool TryAdd(long amount)
        {
            var current = Interlocked.Read(ref value);
            while (current != Closed)
            {
                var seen = Interlocked.CompareExchange(ref value, current + amount, current);
                if (seen == current)
                {
                    return true;
                }

                current = seen;
            }

            return false;
        }

        public long Close() => Interlocked.Exchange(ref value, Closed);
    }
}
