using Microsoft.Extensions.Options;
using Perspective.Platform.Http;

namespace Perspective.McpHost.Mcp.Authentication;

/// <summary>How many failed MCP authentications one client address may make per window (section <c>Mcp:FailedAuthentication</c>).</summary>
public sealed class FailedAuthenticationOptions : FailureLimitOptions
{
    public FailedAuthenticationOptions()
    {
        Limit = 20;
        Window = TimeSpan.FromMinutes(1);
    }
}

/// <summary>
/// Counts failed MCP authentications per client address in fixed windows. Past the limit, failing
/// requests from that address are answered 429 until the window ends; requests that authenticate
/// never count and are never refused. It only slows guessing down: 190-bit keys are not guessable,
/// and no access decision depends on it, so per-instance memory is enough.
/// </summary>
public sealed class FailedAuthenticationThrottle(TimeProvider clock, IOptions<FailedAuthenticationOptions> options)
    : FailureThrottle(clock, options.Value);
