using Microsoft.Extensions.Configuration;
using Perspective.Platform.Hosting;

namespace Perspective.Identity.OAuth;

/// <summary>The scopes and resources (RFC 8707 audiences) this authorization server issues tokens for.</summary>
public static class OAuthScopes
{
    /// <summary>Use the reading MCP tools (lists and gets) in the workspaces chosen at consent.</summary>
    public const string McpRead = "mcp:read";

    /// <summary>Use every MCP tool, including those that change data, in the workspaces chosen at consent.</summary>
    public const string McpWrite = "mcp:write";

    /// <summary>The scope of earlier clients and grants: it keeps meaning <see cref="McpRead"/> and <see cref="McpWrite"/> together.</summary>
    public const string Mcp = "mcp";

    /// <summary>What a client asks for to use every MCP tool: the scope a challenge names (space-separated).</summary>
    public const string McpReadWrite = McpRead + " " + McpWrite;

    /// <summary>True when the granted scopes let a credential use the reading MCP tools.</summary>
    public static bool MayReadMcp(IEnumerable<string> scopes) => scopes.Any(s => s is Mcp or McpRead or McpWrite);

    /// <summary>True when the granted scopes let a credential use the MCP tools that change data (<c>mcp:write</c> includes reading).</summary>
    public static bool MayWriteMcp(IEnumerable<string> scopes) => scopes.Any(s => s is Mcp or McpWrite);

    /// <summary>Manage the user's MCP keys and connected apps through the gRPC services.</summary>
    public const string Management = "management";

    /// <summary>Operate the platform through the admin service (client credentials only).</summary>
    public const string Admin = "admin";

    /// <summary>The audience of management and admin tokens; MCP tokens never carry it.</summary>
    public const string ManagementResource = "urn:perspective:management";

    /// <summary>The MCP resource, exactly as MCP clients send it: the MCP endpoint URL.</summary>
    public static string McpResource(IConfiguration configuration) => PlatformUrls.McpEndpointUrl(configuration);
}
