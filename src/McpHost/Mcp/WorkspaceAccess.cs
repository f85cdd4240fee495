using System.Security.Claims;
using ModelContextProtocol;
using Perspective.Identity.Access;

namespace Perspective.McpHost.Mcp;

/// <summary>Lets a tool touch a workspace only when it is in the request's effective set, evaluated now.</summary>
public sealed class WorkspaceAccess(EffectiveWorkspaces effective)
{
    /// <summary>One answer for unknown, out-of-scope and left workspaces, so a tool never reveals which it was.</summary>
    public const string NotAvailable =
        "That workspace is not available to this connection. Call workspace_list for the workspaces you can use and pass one of their ids as workspace_id.";

    public Task<IReadOnlyList<ReachableWorkspace>> ListAsync(ClaimsPrincipal caller, CancellationToken cancellationToken) =>
        effective.ResolveAsync(caller, cancellationToken);

    public async Task<ReachableWorkspace> RequireAsync(ClaimsPrincipal caller, string workspaceId, CancellationToken cancellationToken)
    {
        if (Guid.TryParse(workspaceId, out var id))
        {
            var reachable = await effective.ResolveAsync(caller, cancellationToken);
            if (reachable.FirstOrDefault(w => w.Id == id) is { } workspace)
            {
                return workspace;
            }
        }

        throw new McpException(NotAvailable);
    }
}
