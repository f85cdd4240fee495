using System.Security.Claims;

namespace Perspective.Identity.Access;

/// <summary>
/// The effective workspaces of this one request, when the credential's handler already read them
/// from the database in the same query as the credential (MCP keys do: one round trip instead of
/// two on the hot path). Scoped to the request and never shared: the next request reads again.
/// </summary>
public sealed class RequestWorkspaces
{
    private ClaimsPrincipal? caller;
    private IReadOnlyList<ReachableWorkspace>? workspaces;

    /// <summary>Records what <paramref name="principal"/> reaches, as read together with its credential.</summary>
    public void Set(ClaimsPrincipal principal, IReadOnlyList<ReachableWorkspace> reachable)
    {
        caller = principal;
        workspaces = reachable;
    }

    /// <summary>The set read for exactly this principal in this request, if any.</summary>
    public bool TryGet(ClaimsPrincipal principal, out IReadOnlyList<ReachableWorkspace> reachable)
    {
        reachable = workspaces ?? [];
        return workspaces is not null && ReferenceEquals(principal, caller);
    }
}
