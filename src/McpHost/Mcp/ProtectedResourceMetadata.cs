using Perspective.Identity;

namespace Perspective.McpHost.Mcp;

/// <summary>
/// The OAuth protected resource metadata of the MCP endpoint (RFC 9728): which resource it is and
/// which authorization server issues tokens for it. Served at both well-known paths MCP clients try.
/// </summary>
public static class ProtectedResourceMetadata
{
    public const string RootPath = "/.well-known/oauth-protected-resource";
    public const string McpPath = RootPath + "/mcp";

    public static string DocumentUrl(IConfiguration configuration) => PlatformUrls.PublicBaseUrl(configuration) + McpPath;

    public static IEndpointRouteBuilder MapProtectedResourceMetadata(this IEndpointRouteBuilder endpoints)
    {
        foreach (var path in new[] { RootPath, McpPath })
        {
            endpoints.MapGet(path, (IConfiguration configuration, HttpResponse response) =>
            {
                // Browser-based MCP clients read this cross-origin; it holds nothing private.
                response.Headers.AccessControlAllowOrigin = "*";
                return Results.Json(new Dictionary<string, object>
                {
                    ["resource"] = PlatformUrls.McpEndpointUrl(configuration),
                    ["authorization_servers"] = new[] { PlatformUrls.PublicBaseUrl(configuration) },
                    ["bearer_methods_supported"] = new[] { "header" },
                    ["resource_name"] = "Perspective MCP server",
                });
            }).AllowAnonymous();
        }

        return endpoints;
    }
}
