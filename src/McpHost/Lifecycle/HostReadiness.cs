using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Perspective.McpHost.Lifecycle;

/// <summary>Where the host is in its life, as a load balancer needs to know it.</summary>
public enum HostState
{
    /// <summary>Migrating, seeding or binding: not serving yet.</summary>
    Starting,

    /// <summary>Started: takes requests.</summary>
    Serving,

    /// <summary>Asked to stop: finishes what it has and takes new requests only until the listener closes.</summary>
    Draining,
}

/// <summary>The host's <see cref="HostState"/>; it only moves forward.</summary>
public sealed class HostReadiness
{
    private int state = (int)HostState.Starting;

    public HostState State => (HostState)Volatile.Read(ref state);

    public void Serving() => Interlocked.CompareExchange(ref state, (int)HostState.Serving, (int)HostState.Starting);

    public void Draining() => Interlocked.Exchange(ref state, (int)HostState.Draining);
}

/// <summary>The readiness half of <c>/healthz/ready</c>: unhealthy while starting and while draining.</summary>
public sealed class ReadinessCheck(HostReadiness readiness) : IHealthCheck
{
    public const string Name = "lifecycle";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(readiness.State == HostState.Serving
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy(readiness.State.ToString().ToLowerInvariant()));
}
