using Perspective.Identity.OAuth;
using Perspective.Platform.Hosting;

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
            // Browser-based MCP clients read this cross-origin (CORS for /.well-known is set up with the OAuth server).
            endpoints.MapGet(path, (IConfiguration configuration) =>
            {
                return Results.Json(new Dictionary<string, object>
                {
                    ["resource"] = PlatformUrls.McpEndpointUrl(configuration),
                    ["authorization_servers"] = new[] { PlatformUrls.Issuer(configuration) },
                    ["scopes_supported"] = new[] { OAuthScopes.McpRead, OAuthScopes.McpWrite },
                    ["bearer_methods_supported"] = new[] { "header" },
                    ["resource_name"] = "Perspective MCP server",
                });
            }).AllowAnonymous();
        }

        return endpoints;
    }
}
