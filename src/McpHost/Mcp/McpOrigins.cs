using Microsoft.Extensions.Options;
using Perspective.Platform.Hosting;

namespace Perspective.McpHost.Mcp;

/// <summary>
/// Which <c>Host</c> and <c>Origin</c> a request to <c>/mcp</c> may carry: the public origin's (and
/// configured browser origins). This is the transport spec's DNS-rebinding defence: a page on
/// another site, even one whose name resolves to this host, is refused before it can use a
/// credential the browser holds. When the public host is a loopback name, <c>localhost</c>,
/// <c>127.0.0.1</c> and <c>[::1]</c> are the same host.
/// </summary>
public sealed class McpOrigins
{
    private readonly Uri publicOrigin;
    private readonly HashSet<string> allowedOrigins;

    public McpOrigins(IConfiguration configuration, IOptions<McpTransportOptions> options)
    {
        publicOrigin = new Uri(PlatformUrls.PublicBaseUrl(configuration));
        allowedOrigins = options.Value.AllowedOrigins
            .Select(origin => Uri.TryCreate(origin, UriKind.Absolute, out var uri) ? OriginKey(uri) : null)
            .OfType<string>()
            .Append(OriginKey(publicOrigin))
            .ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>
    /// True when <c>Host</c> names the public host. Its port is not compared: a request that reaches
    /// this socket carries the name the client resolved, and only the name tells a rebinding attack
    /// apart; the port differs legitimately behind a proxy or balancer that forwards to this host's own.
    /// </summary>
    public bool IsPublicHost(HostString host) => host.HasValue && HostKey(host.Host) == HostKey(publicOrigin.Host);

    /// <summary>True for a request without <c>Origin</c> (not a browser) or with an allowed one.</summary>
    public bool IsAllowedOrigin(string? origin) =>
        string.IsNullOrEmpty(origin) ||
        (Uri.TryCreate(origin, UriKind.Absolute, out var uri) && uri.AbsolutePath == "/" && allowedOrigins.Contains(OriginKey(uri)));

    private static string OriginKey(Uri uri) => $"{uri.Scheme.ToLowerInvariant()}://{HostKey(uri.Host)}:{uri.Port}";

    private static string HostKey(string host)
    {
        var name = host.Trim('[', ']').ToLowerInvariant();
        return PublicBaseUrlSetting.IsLoopback(name) ? "loopback" : name;
    }
}
