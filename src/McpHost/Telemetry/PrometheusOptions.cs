namespace Perspective.McpHost.Telemetry;

/// <summary>
/// The Prometheus scrape endpoint (section <c>Telemetry:Prometheus</c>): off by default; when on,
/// <c>GET /metrics</c> is served on its own listener, never on the public origin, so a scraper inside
/// the network reaches it and the internet does not.
/// </summary>
public sealed class PrometheusOptions
{
    public const string Section = "Telemetry:Prometheus";

    public bool Enabled { get; set; }

    /// <summary>The address the scrape listener binds: loopback unless the operator opens it (e.g. <c>0.0.0.0</c>).</summary>
    public string ListenAddress { get; set; } = "127.0.0.1";

    public int Port { get; set; } = 9464;

    public const string Path = "/metrics";
}
