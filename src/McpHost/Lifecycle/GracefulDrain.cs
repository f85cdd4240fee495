using Microsoft.Extensions.Options;

namespace Perspective.McpHost.Lifecycle;

/// <summary>
/// How the host stops (section <c>Platform</c>): on SIGTERM (or Ctrl+C) it answers <c>/healthz/ready</c>
/// with 503 at once and keeps serving for <see cref="ShutdownDrainDelay"/>, so balancers stop sending
/// it requests before its listener closes; then in-flight requests get <see cref="ShutdownTimeout"/> to
/// finish, and last-used times are written.
/// </summary>
public sealed class DrainOptions
{
    public const string Section = "Platform";

    public TimeSpan ShutdownDrainDelay { get; set; } = TimeSpan.FromSeconds(5);

    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>
/// Marks the host serving once it has started and draining as soon as it is asked to stop, then holds
/// the stop for the drain delay. It runs in the host's stopping phase, before any service stops, so
/// the web server still accepts and serves requests meanwhile; the server stops after it, then the
/// last-used flusher (hosted services stop in reverse order of registration, the server first).
/// </summary>
public sealed partial class GracefulDrain(
    HostReadiness readiness, IHostApplicationLifetime lifetime, IOptions<DrainOptions> options, ILogger<GracefulDrain> logger)
    : IHostedLifecycleService
{
    private CancellationTokenRegistration stopping;

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // SIGTERM raises ApplicationStopping first: readiness fails from that moment.
        stopping = lifetime.ApplicationStopping.Register(readiness.Draining);
        return Task.CompletedTask;
    }

    public Task StartedAsync(CancellationToken cancellationToken)
    {
        readiness.Serving();
        return Task.CompletedTask;
    }

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        readiness.Draining();
        var delay = options.Value.ShutdownDrainDelay;
        if (delay <= TimeSpan.Zero)
        {
            return;
        }

        LogDraining(delay.TotalSeconds);
        try
        {
            await Task.Delay(delay, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // The shutdown timeout ended the drain early; stop now.
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken)
    {
        stopping.Dispose();
        return Task.CompletedTask;
    }

    [LoggerMessage(1, LogLevel.Information,
        "Stopping: /healthz/ready answers 503 and requests are still served for {Seconds} s, then the listener closes and in-flight requests finish.")]
    private partial void LogDraining(double seconds);
}
