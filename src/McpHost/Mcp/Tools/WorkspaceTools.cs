using System.ComponentModel;
using System.Security.Claims;
using ModelContextProtocol.Server;

namespace Perspective.McpHost.Mcp.Tools;

[McpServerToolType]
public sealed class WorkspaceTools
{
    [McpServerTool(Name = "workspace_list", Title = "List workspaces", ReadOnly = true, Idempotent = true, OpenWorld = false)]
    [Description("Lists the Perspective workspaces this connection can reach, with each workspace's id, slug, name and the user's role. " +
                 "Call this first: every other tool needs a workspace_id from this list.")]
    public WorkspaceListResult ListWorkspaces(ClaimsPrincipal user) =>
        new(user.Caller().Workspaces.Select(WorkspaceItem.From).ToList());
}
