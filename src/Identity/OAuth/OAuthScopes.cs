using Microsoft.Extensions.Configuration;
using Perspective.Platform.Hosting;

namespace Perspective.Identity.OAuth;

/// <summary>The scopes and resources (RFC 8707 audiences) this authorization server issues tokens for.</summary>
public static class OAuthScopes
{
    /// <summary>Use the MCP tools in the workspaces chosen at consent.</summary>
    public const string Mcp = "mcp";

    /// <summary>Manage the user's MCP keys and connected apps through the gRPC services.</summary>
    public const string Management = "management";

    /// <summary>Operate the platform through the admin service (client credentials only).</summary>
    public const string Admin = "admin";

    /// <summary>The audience of management and admin tokens; MCP tokens never carry it.</summary>
    public const string ManagementResource = "urn:perspective:management";

    /// <summary>The MCP resource, exactly as MCP clients send it: the MCP endpoint URL.</summary>
    public static string McpResource(IConfiguration configuration) => PlatformUrls.McpEndpointUrl(configuration);
}
