using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Perspective.Keys.Storage;
using Perspective.Platform.Hosting;

namespace Perspective.Keys.Usage;

/// <summary>
/// Writes pending last-used times periodically and once more at shutdown, after the web server has
/// finished its requests (hosted services stop in reverse order; the server, registered last, stops first).
/// </summary>
public sealed partial class LastUsedFlusher(
    LastUsedTracker tracker, IServiceScopeFactory scopes, IOptions<LastUsedOptions> options, PlatformMetrics metrics, TimeProvider clock,
    ILogger<LastUsedFlusher> logger) : PeriodicFlusher(options.Value.FlushInterval)
{
    /// <summary>Writes every pending use. Times only move forward, so hosts writing the same key merge.</summary>
    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        var uses = tracker.TakePending();
        if (uses.Count == 0)
        {
            return;
        }

        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<KeysDataContext>();
            foreach (var (credential, use) in uses)
            {
                // Times only move forward; within the same minute the later flush's client and address win.
                var time = use.Minute;
                if (credential.IsLegacyToken)
                {
                    await db.LegacyTokens
                        .Where(t => t.UserId == credential.Id && (t.LastUsedTime == null || t.LastUsedTime <= time))
                        .ExecuteUpdateAsync(set => set
                            .SetProperty(t => t.LastUsedTime, time)
                            .SetProperty(t => t.LastUsedAddress, use.Address)
                            .SetProperty(t => t.LastUsedClient, t => use.Client ?? t.LastUsedClient), cancellationToken);
                }
                else
                {
                    await db.McpKeys
                        .Where(k => k.Id == credential.Id && (k.LastUsedTime == null || k.LastUsedTime <= time))
                        .ExecuteUpdateAsync(set => set
                            .SetProperty(k => k.LastUsedTime, time)
                            .SetProperty(k => k.LastUsedAddress, use.Address)
                            .SetProperty(k => k.LastUsedClient, k => use.Client ?? k.LastUsedClient), cancellationToken);
                }
            }

            var written = clock.GetUtcNow();
            foreach (var (_, use) in uses)
            {
                metrics.LastUsedWritten(written - use.Since);
            }
        }
        catch (Exception e) when (e is DbUpdateException or InvalidOperationException or OperationCanceledException or System.Data.Common.DbException)
        {
            tracker.Restore(uses);
            LogFlushFailed(e, uses.Count);
        }
    }

    [LoggerMessage(LogLevel.Warning, "Could not record the last use of {Count} MCP credentials; will try again.")]
    private partial void LogFlushFailed(Exception exception, int count);
}

/// <summary>How often last-used times are written (configuration section <c>Keys:LastUsed</c>).</summary>
public sealed class LastUsedOptions
{
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromSeconds(30);
}
