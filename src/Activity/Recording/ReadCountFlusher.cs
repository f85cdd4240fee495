using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Perspective.Platform.Hosting;
using Perspective.Activity.Storage;

namespace Perspective.Activity.Recording;

/// <summary>
/// Adds the pending reading counts to the stored counters periodically and once more at shutdown, after the
/// web server has finished its requests (hosted services stop in reverse order; the server, registered last, stops first).
/// </summary>
public sealed partial class ReadCountFlusher(
    ReadCounter counter, IServiceScopeFactory scopes, IOptions<ActivityOptions> options, ILogger<ReadCountFlusher> logger) : PeriodicFlusher(options.Value.FlushInterval)
{
    /// <summary>
    /// Adds every pending count to its stored counter, one statement per counter so that hosts flushing the
    /// same counter add up. When a write fails, the counts not yet written are put back (none lost, none twice).
    /// </summary>
    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        var counts = counter.TakePending();
        if (counts.Count == 0)
        {
            return;
        }

        var written = 0;
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ActivityDataContext>();
            foreach (var (key, count) in counts)
            {
                await AddAsync(db, key, count, cancellationToken);
                written++;
            }
        }
        catch (Exception e) when (e is DbUpdateException or DbException or InvalidOperationException or OperationCanceledException)
        {
            counter.Restore(counts.Skip(written));
            LogFlushFailed(e, counts.Count - written);
        }
    }

    // An atomic increment where the counter exists; otherwise an insert. Two hosts inserting the same new counter
    // at once: one insert wins, the other fails on the primary key and then finds the row to increment.
    private static async Task AddAsync(ActivityDataContext db, ReadCountKey key, long count, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            if (await Counter(db, key).ExecuteUpdateAsync(set => set.SetProperty(r => r.Count, r => r.Count + count), cancellationToken) > 0)
            {
                return;
            }

            db.DailyReads.Add(new DailyToolReads
            {
                CredentialKind = key.Credential.Kind,
                CredentialId = key.Credential.Id,
                Tool = key.Tool,
                Day = key.Day,
                UserId = key.UserId,
                Count = count,
            });
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                return;
            }
            catch (DbUpdateException) when (attempt == 0)
            {
                // Inserted by another host meanwhile: increment it.
            }
            finally
            {
                db.ChangeTracker.Clear();
            }
        }
    }

    private static IQueryable<DailyToolReads> Counter(ActivityDataContext db, ReadCountKey key) =>
        db.DailyReads.Where(r => r.CredentialKind == key.Credential.Kind && r.CredentialId == key.Credential.Id && r.Tool == key.Tool && r.Day == key.Day);

    [LoggerMessage(LogLevel.Warning, "Could not record {Count} daily counts of reading tool calls; will try again.")]
    private partial void LogFlushFailed(Exception exception, int count);
}
