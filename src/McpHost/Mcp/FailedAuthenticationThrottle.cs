using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Perspective.McpHost.Mcp;

/// <summary>How many failed MCP authentications one client address may make per window (section <c>Mcp:FailedAuthentication</c>).</summary>
public sealed class FailedAuthenticationOptions
{
    public int Limit { get; set; } = 20;

    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>
/// Counts failed MCP authentications per client address in fixed windows. Past the limit, failing
/// requests from that address are answered 429 until the window ends; requests that authenticate
/// never count and are never refused. It only slows guessing down: 190-bit keys are not guessable,
/// and no access decision depends on it, so per-instance memory is enough.
/// </summary>
public sealed class FailedAuthenticationThrottle(TimeProvider clock, IOptions<FailedAuthenticationOptions> options)
{
    // Bounds memory under a flood of distinct addresses; expired windows are dropped first.
    private const int MaxTrackedClients = 100_000;

    private readonly ConcurrentDictionary<string, FailureWindow> windows = new();

    /// <summary>How long <paramref name="client"/> must wait, or null when it is under the limit.</summary>
    public TimeSpan? RetryAfter(string client)
    {
        var now = clock.GetUtcNow();
        return windows.TryGetValue(client, out var window) && window.Ends > now && window.Failures >= options.Value.Limit
            ? window.Ends - now
            : null;
    }

    public void RecordFailure(string client)
    {
        var now = clock.GetUtcNow();
        if (windows.Count >= MaxTrackedClients)
        {
            DropExpired(now);
        }

        windows.AddOrUpdate(
            client,
            _ => new FailureWindow(now + options.Value.Window, 1),
            (_, window) => window.Ends > now ? window with { Failures = window.Failures + 1 } : new FailureWindow(now + options.Value.Window, 1));
    }

    private void DropExpired(DateTimeOffset now)
    {
        foreach (var (client, window) in windows)
        {
            if (window.Ends <= now)
            {
                windows.TryRemove(client, out _);
            }
        }
    }

    private sealed record FailureWindow(DateTimeOffset Ends, int Failures);
}
