using System.Diagnostics.Metrics;

namespace Perspective.Platform.Hosting;

/// <summary>
/// The product's own metrics, on the <see cref="MeterName"/> meter. The host exports them with
/// OpenTelemetry when telemetry is configured; without a listener recording costs next to nothing.
/// Every tag has a small, fixed set of values: nothing a client sends reaches a tag as it is.
/// </summary>
public sealed class PlatformMetrics
{
    public const string MeterName = "Perspective.Platform";

    private readonly Counter<long> mcpRequests;
    private readonly Counter<long> authenticationFailures;
    private readonly Counter<long> tokensIssued;
    private readonly Counter<long> tokensRevoked;
    private readonly Counter<long> grantsRevoked;
    private readonly Histogram<double> lastUsedFlushLag;

    public PlatformMetrics(IMeterFactory meters)
    {
        Meter = meters.Create(MeterName);
        mcpRequests = Meter.CreateCounter<long>(
            "perspective.mcp.requests", "{request}", "MCP endpoint requests answered, by credential kind and outcome.");
        authenticationFailures = Meter.CreateCounter<long>(
            "perspective.mcp.authentication.failures", "{request}", "MCP requests whose credential was refused, by reason.");
        tokensIssued = Meter.CreateCounter<long>(
            "perspective.oauth.tokens.issued", "{response}", "Token endpoint responses that issued tokens, by grant type (refresh_token: a refresh).");
        tokensRevoked = Meter.CreateCounter<long>(
            "perspective.oauth.tokens.revoked", "{request}", "Tokens revoked by their client at the revocation endpoint.");
        grantsRevoked = Meter.CreateCounter<long>(
            "perspective.oauth.grants.revoked", "{grant}", "OAuth grants (connected apps) revoked, by reason.");
        lastUsedFlushLag = Meter.CreateHistogram(
            "perspective.keys.last_used.flush_lag", "s", "Time from a credential's first unwritten use to the write of its last-used time.",
            tags: null, new InstrumentAdvice<double> { HistogramBucketBoundaries = [1, 5, 10, 30, 60, 120, 300, 600, 1800] });
    }

    /// <summary>The meter itself, for tests and for instruments a module observes.</summary>
    public Meter Meter { get; }

    /// <param name="credentialKind">mcp_key, oauth, legacy_token, or none.</param>
    /// <param name="outcome">One of <see cref="McpOutcomes"/>.</param>
    public void McpRequest(string credentialKind, string outcome) =>
        mcpRequests.Add(1, new KeyValuePair<string, object?>("credential_kind", credentialKind), new KeyValuePair<string, object?>("outcome", outcome));

    /// <param name="reason">One of <c>CredentialFailure</c>'s reasons (Identity).</param>
    public void AuthenticationFailure(string reason) =>
        authenticationFailures.Add(1, new KeyValuePair<string, object?>("reason", reason));

    /// <param name="grantType">The grant type of a request the server accepted (so one of the few it supports).</param>
    public void TokensIssued(string grantType) =>
        tokensIssued.Add(1, new KeyValuePair<string, object?>("grant_type", grantType));

    public void TokenRevoked() => tokensRevoked.Add(1);

    /// <param name="reason">One of <c>GrantRevocationReasons</c>.</param>
    public void GrantRevoked(string reason) =>
        grantsRevoked.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void LastUsedWritten(TimeSpan lag) => lastUsedFlushLag.Record(Math.Max(0, lag.TotalSeconds));

    /// <summary>The outcomes of an MCP request, from its status code.</summary>
    public static class McpOutcomes
    {
        public const string Ok = "ok";
        public const string Unauthenticated = "unauthenticated";
        public const string Forbidden = "forbidden";
        public const string Throttled = "throttled";
        public const string Invalid = "invalid";
        public const string Unavailable = "unavailable";
        public const string Error = "error";

        public static string Of(int statusCode) => statusCode switch
        {
            < 400 => Ok,
            401 => Unauthenticated,
            403 => Forbidden,
            429 => Throttled,
            503 => Unavailable,
            < 500 => Invalid,
            _ => Error,
        };
    }
}
