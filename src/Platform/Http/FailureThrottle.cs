using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Perspective.Platform.Http;

/// <summary>How many failures one client address may make per window before it is refused.</summary>
public abstract class FailureLimitOptions
{
    public int Limit { get; set; }

    public TimeSpan Window { get; set; }
}

/// <summary>
/// Counts failures per client address in fixed windows (a window starts with the first failure).
/// Past the limit, the address is refused until the window ends. It only slows guessing down and
/// decides no access, so each host counts in its own memory. Subclasses bind their own options
/// (<see cref="FailureLimitOptions"/>) so that every use has its own counters and settings.
/// </summary>
public abstract class FailureThrottle(TimeProvider clock, FailureLimitOptions limits)
{
    // Bounds memory under a flood of distinct addresses; expired windows are dropped first.
    private const int MaxTrackedClients = 100_000;

    private readonly ConcurrentDictionary<string, FailureWindow> windows = new();

    /// <summary>How long <paramref name="client"/> must wait, or null when it is under the limit.</summary>
    public TimeSpan? RetryAfter(string client)
    {
        var now = clock.GetUtcNow();
        return windows.TryGetValue(client, out var window) && window.Ends > now && window.Failures >= limits.Limit
            ? window.Ends - now
            : null;
    }

    /// <summary>Counts a failure that has happened (checked beforehand with <see cref="RetryAfter"/>).</summary>
    public void RecordFailure(string client)
    {
        var now = clock.GetUtcNow();
        DropExpiredIfFull(now);
        windows.AddOrUpdate(
            client,
            _ => new FailureWindow(now + limits.Window, 1),
            (_, window) => window.Ends > now ? window with { Failures = window.Failures + 1 } : new FailureWindow(now + limits.Window, 1));
    }

    /// <summary>
    /// For an attempt whose check is slow (a password hash): counts it as a failure <em>before</em> it is
    /// checked, atomically with the limit check, so parallel attempts cannot all pass the check before any
    /// of them is counted. Give the count back with <see cref="Forgive"/> when the attempt succeeds.
    /// Returns false, with how long to wait, when the address is over the limit (nothing is counted then).
    /// </summary>
    public bool TryBegin(string client, out Attempt attempt, out TimeSpan retryAfter)
    {
        var now = clock.GetUtcNow();
        DropExpiredIfFull(now);
        while (true)
        {
            if (!windows.TryGetValue(client, out var current))
            {
                var first = new FailureWindow(now + limits.Window, 1);
                if (windows.TryAdd(client, first))
                {
                    (attempt, retryAfter) = (new Attempt(client, first.Ends), TimeSpan.Zero);
                    return true;
                }

                continue;
            }

            if (current.Ends > now && current.Failures >= limits.Limit)
            {
                (attempt, retryAfter) = (default, current.Ends - now);
                return false;
            }

            var next = current.Ends > now ? current with { Failures = current.Failures + 1 } : new FailureWindow(now + limits.Window, 1);
            if (windows.TryUpdate(client, next, current))
            {
                (attempt, retryAfter) = (new Attempt(client, next.Ends), TimeSpan.Zero);
                return true;
            }
        }
    }

    /// <summary>Takes back the failure counted by <see cref="TryBegin"/>: the attempt succeeded.</summary>
    public void Forgive(Attempt attempt)
    {
        if (attempt.Client is null)
        {
            return;
        }

        // Only within the window the attempt was counted in; a later window never counted it.
        while (windows.TryGetValue(attempt.Client, out var current) && current.Ends == attempt.WindowEnds && current.Failures > 0)
        {
            if (windows.TryUpdate(attempt.Client, current with { Failures = current.Failures - 1 }, current))
            {
                return;
            }
        }
    }

    private void DropExpiredIfFull(DateTimeOffset now)
    {
        if (windows.Count < MaxTrackedClients)
        {
            return;
        }

        foreach (var (client, window) in windows)
        {
            if (window.Ends <= now)
            {
                windows.TryRemove(client, out _);
            }
        }
    }

    /// <summary>An attempt counted by <see cref="TryBegin"/>: the address and the window it was counted in.</summary>
    public readonly record struct Attempt(string Client, DateTimeOffset WindowEnds);

    private sealed record FailureWindow(DateTimeOffset Ends, int Failures);
}

public static class FailureThrottleRegistration
{
    /// <summary>Registers a throttle (one per host) with its options bound to <paramref name="section"/> and checked at start.</summary>
    public static IHostApplicationBuilder AddFailureThrottle<TThrottle, TOptions>(this IHostApplicationBuilder builder, string section)
        where TThrottle : FailureThrottle
        where TOptions : FailureLimitOptions
    {
        builder.Services.AddSingleton<TThrottle>();
        builder.Services.AddOptions<TOptions>()
            .Bind(builder.Configuration.GetSection(section))
            .Validate(options => options.Limit > 0 && options.Window > TimeSpan.Zero, $"{section} needs a positive Limit and Window.")
            .ValidateOnStart();
        return builder;
    }
}
