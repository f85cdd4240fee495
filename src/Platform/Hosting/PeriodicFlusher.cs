using Microsoft.Extensions.Hosting;

namespace Perspective.Platform.Hosting;

/// <summary>
/// Writes what a module coalesced in memory (last-used times, reading counts) every <c>interval</c> and once
/// more at shutdown, after the web server has finished its requests (hosted services stop in reverse order;
/// the server, registered last, stops first). The last write is a handful of short statements: it is not cut
/// short by the shutdown deadline, which would lose what it holds.
/// </summary>
public abstract class PeriodicFlusher(TimeSpan interval) : BackgroundService
{
    /// <summary>Writes everything pending; puts back what it could not write.</summary>
    public abstract Task FlushAsync(CancellationToken cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await FlushAsync(CancellationToken.None);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: StopAsync writes what is left.
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await FlushAsync(CancellationToken.None);
    }
}
