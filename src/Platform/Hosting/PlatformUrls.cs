using Microsoft.Extensions.Configuration;

namespace Perspective.Platform.Hosting;

/// <summary>The addresses the platform is reached at, from configuration, so no client hard-codes them.</summary>
public static class PlatformUrls
{
    public const string DefaultHttpUrl = "http://localhost:5080";
    public const string DefaultGrpcUrl = "http://localhost:5081";

    /// <summary>The externally visible origin: <c>Platform:PublicBaseUrl</c>, else the Http endpoint. No trailing slash.</summary>
    public static string PublicBaseUrl(IConfiguration configuration) =>
        (configuration["Platform:PublicBaseUrl"] ?? configuration["Kestrel:Endpoints:Http:Url"] ?? DefaultHttpUrl).TrimEnd('/');

    /// <summary>The OAuth issuer identifier: the public origin with a trailing slash, as discovery publishes it.</summary>
    public static string Issuer(IConfiguration configuration) => PublicBaseUrl(configuration) + "/";

    /// <summary>The MCP endpoint, exactly as clients must address it (also the OAuth resource identifier).</summary>
    public static string McpEndpointUrl(IConfiguration configuration) => PublicBaseUrl(configuration) + "/mcp";

    /// <summary>The HTTP/2-only endpoint for native gRPC clients such as grpcurl.</summary>
    public static string NativeGrpcUrl(IConfiguration configuration) =>
        (configuration["Kestrel:Endpoints:Grpc:Url"] ?? DefaultGrpcUrl).TrimEnd('/');
}
