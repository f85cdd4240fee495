using System.Diagnostics;

namespace Perspective.EndToEndTests.ScaleOut;

/// <summary>
/// Hammers one host with a credential from several clients while a revocation goes through
/// another host, and sorts every request by when it started: before the revocation returned, or after.
/// </summary>
public static class RevocationProbe
{
    private const int Clients = 4;
    private const int RequestsAfterRevocation = 40;
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    /// <param name="isAllowed">Sends one request to the other host and tells whether it was served.</param>
    /// <param name="revoke">Revokes through the first host; returns when the revoking call has returned.</param>
    public static async Task<Outcome> RunAsync(Func<Task<bool>> isAllowed, Func<Task> revoke)
    {
        var results = new List<(long Start, bool Allowed)>();
        long revokedAt = long.MaxValue;
        using var stop = new CancellationTokenSource(Limit);

        int Count(Func<(long Start, bool Allowed), bool> predicate)
        {
            lock (results)
            {
                return results.Count(predicate);
            }
        }

        var clients = Enumerable.Range(0, Clients).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var start = Stopwatch.GetTimestamp();
                var allowed = await isAllowed();
                lock (results)
                {
                    results.Add((start, allowed));
                }

                if (Count(r => r.Start > Interlocked.Read(ref revokedAt)) >= RequestsAfterRevocation)
                {
                    return;
                }
            }
        })).ToList();

        // Revoke once the credential is visibly in use on the other host.
        while (Count(r => r.Allowed) < 10 && !stop.IsCancellationRequested)
        {
            await Task.Delay(10);
        }

        await revoke();
        Interlocked.Exchange(ref revokedAt, Stopwatch.GetTimestamp());
        await Task.WhenAll(clients);

        lock (results)
        {
            var after = results.Where(r => r.Start > revokedAt).ToList();
            return new Outcome(results.Count(r => r.Start <= revokedAt && r.Allowed), after.Count, after.Count(r => r.Allowed));
        }
    }

    /// <param name="AllowedBefore">Requests served before the revocation returned.</param>
    /// <param name="StartedAfter">Requests that started after it returned.</param>
    /// <param name="AllowedAfter">Of those, how many were served: must be 0.</param>
    public sealed record Outcome(int AllowedBefore, int StartedAfter, int AllowedAfter)
    {
        public override string ToString() =>
            $"served before revocation: {AllowedBefore}; started after: {StartedAfter}; served after (must be 0): {AllowedAfter}";
    }
}
