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

    /// <summary>True for <c>mcp</c>, <c>mcp:read</c> and <c>mcp:write</c>.</summary>
    public static bool IsMcp(string scope) => scope is Mcp or McpRead or McpWrite;

    /// <summary>The MCP scopes a grant stores and its tokens carry: <c>mcp:read</c>, with <c>mcp:write</c> when it may write.</summary>
    public static IReadOnlyList<string> McpGranted(bool write) => write ? [McpRead, McpWrite] : [McpRead];

    /// <summary>
    /// A token's scopes as far as its grant allows them now: the MCP access is the lesser of the two
    /// (in the <see cref="McpGranted"/> form), other scopes are kept. A grant narrowed at a later consent
    /// thus narrows the tokens issued before it, and a token never gains what it was not issued with.
    /// </summary>
    public static List<string> WithinGrant(IEnumerable<string> tokenScopes, IEnumerable<string> grantScopes)
    {
        var token = tokenScopes.ToList();
        var grant = grantScopes.ToList();
        var others = token.Where(s => !IsMcp(s));
        var mcp = MayReadMcp(token) && MayReadMcp(grant) ? McpGranted(MayWriteMcp(token) && MayWriteMcp(grant)) : [];
        return [.. mcp, .. others];
    }

    /// <summary>Manage the user's MCP keys and connected apps through the gRPC services.</summary>
    public const string Management = "management";

    /// <summary>Operate the platform through the admin service (client credentials only).</summary>
    public const string Admin = "admin";

    /// <summary>The audience of management and admin tokens; MCP tokens never carry it.</summary>
    public const string ManagementResource = "urn:perspective:management";

    /// <summary>The MCP resource, exactly as MCP clients send it: the MCP endpoint URL.</summary>
    public static string McpResource(IConfiguration configuration) => PlatformUrls.McpEndpointUrl(configuration);
}
