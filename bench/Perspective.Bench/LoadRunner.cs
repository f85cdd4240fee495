using System.Diagnostics;
using System.Net.Http.Json;

namespace Perspective.Bench;

/// <summary>One scenario's numbers.</summary>
public sealed record ScenarioResult(
    string Name, int Clients, long Requests, long Errors, double RequestsPerSecond, double P50Ms, double P99Ms, double BytesPerRequest,
    double CommandsPerRequest, double WritesPerRequest);

/// <summary>How long and how hard a scenario runs.</summary>
public sealed record LoadShape(int Clients, TimeSpan Warmup, TimeSpan Duration, long MaxRequests);

/// <summary>
/// Runs a call from a fixed number of concurrent clients: a warm-up that is not measured, then a
/// fixed duration (or request budget, for the smoke run). Latencies are measured per request;
/// allocations and SQL writes come from the host's counters before and after.
/// </summary>
public sealed class LoadRunner(HttpClient stats)
{
    public async Task<ScenarioResult> RunAsync(string name, LoadShape shape, Func<CancellationToken, Task<bool>> call)
    {
        await DriveAsync(shape.Clients, shape.Warmup, shape.MaxRequests, call, latencies: null);

        var before = await StatsAsync();
        var latencies = new List<double>[shape.Clients];
        var watch = Stopwatch.StartNew();
        var (requests, errors) = await DriveAsync(shape.Clients, shape.Duration, shape.MaxRequests, call, latencies);
        var seconds = watch.Elapsed.TotalSeconds;
        var after = await StatsAsync();

        var sorted = latencies.SelectMany(l => l).Order().ToArray();
        return new ScenarioResult(
            name,
            shape.Clients,
            requests,
            errors,
            requests / seconds,
            Percentile(sorted, 0.50),
            Percentile(sorted, 0.99),
            (after.AllocatedBytes - before.AllocatedBytes) / (double)Math.Max(1, requests),
            (after.Commands - before.Commands) / (double)Math.Max(1, requests),
            (after.Writes - before.Writes) / (double)Math.Max(1, requests));
    }

    private static async Task<(long Requests, long Errors)> DriveAsync(
        int clients, TimeSpan duration, long maxRequests, Func<CancellationToken, Task<bool>> call, List<double>[]? latencies)
    {
        long requests = 0, errors = 0;
        using var stop = new CancellationTokenSource(duration);
        var workers = Enumerable.Range(0, clients).Select(async worker =>
        {
            var mine = new List<double>();
            if (latencies is not null)
            {
                latencies[worker] = mine;
            }

            while (!stop.IsCancellationRequested && Interlocked.Increment(ref requests) <= maxRequests)
            {
                var started = Stopwatch.GetTimestamp();
                bool ok;
                try
                {
                    ok = await call(CancellationToken.None);
                }
                catch (Exception e) when (e is HttpRequestException or Grpc.Core.RpcException or TaskCanceledException)
                {
                    ok = false;
                }

                mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                if (!ok)
                {
                    Interlocked.Increment(ref errors);
                }
            }
        });
        await Task.WhenAll(workers);
        return (Math.Min(Interlocked.Read(ref requests), maxRequests), errors);
    }

    private async Task<BenchStats> StatsAsync() =>
        (await stats.GetFromJsonAsync<BenchStats>(BenchHost.StatsPath))!;

    private static double Percentile(double[] sorted, double percentile) =>
        sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(percentile * sorted.Length) - 1)];
}
