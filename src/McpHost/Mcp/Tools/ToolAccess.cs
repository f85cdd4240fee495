using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Perspective.McpHost.Mcp.Tools;

/// <summary>
/// The two classes of tools and who may use them. A tool is <em>reading</em> when it declares itself
/// read-only (<c>ReadOnly = true</c>: the lists and gets); every other tool, including any tool added later
/// without that declaration, is <em>writing</em>. A read-only credential (a read-only key, an OAuth grant
/// without <c>mcp:write</c>) does not see writing tools in <c>tools/list</c>, and calling one is refused
/// before the tool runs: by <see cref="McpRequestBody"/> at the HTTP layer, and here once more, so the
/// rule holds whatever path a call takes into the MCP server.
/// </summary>
public static class ToolAccess
{
    public static bool IsWriting(Tool tool) => tool.Annotations?.ReadOnlyHint != true;

    /// <summary>What a read-only caller is told when it calls a writing tool: what to do to get write access.</summary>
    public static string ReadOnlyRefusal(McpCaller caller, string toolName) => caller.Kind switch
    {
        McpCredentialKind.OAuth =>
            $"{toolName} changes data, and this app was granted read-only access (mcp:read). Reconnect the app and allow read & write (mcp:write) to use it.",
        _ =>
            $"{toolName} changes data, and the MCP key '{caller.CredentialName}' is read-only. Create a read & write key in Settings → MCP to use it.",
    };

    public static IMcpServerBuilder WithToolAccess(this IMcpServerBuilder mcp) =>
        mcp.WithRequestFilters(filters =>
        {
            filters.AddListToolsFilter(next => async (request, cancellationToken) =>
            {
                var result = await next(request, cancellationToken);
                if (request.User?.FindCaller() is not { MayWrite: true })
                {
                    result.Tools = result.Tools.Where(tool => !IsWriting(tool)).ToList();
                }

                return result;
            });
            filters.AddCallToolFilter(next => async (request, cancellationToken) =>
                request.MatchedPrimitive is McpServerTool tool && IsWriting(tool.ProtocolTool) &&
                request.User?.FindCaller() is { MayWrite: false } caller
                    ? new CallToolResult { IsError = true, Content = [new TextContentBlock { Text = ReadOnlyRefusal(caller, tool.ProtocolTool.Name) }] }
                    : await next(request, cancellationToken));
        });
}
