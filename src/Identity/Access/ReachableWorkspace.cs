using Perspective.Identity.Workspaces;

namespace Perspective.Identity.Access;

/// <summary>
/// A workspace an MCP credential may reach, with the user's role in it. The rule every credential
/// lookup follows: the credential's scope (all of the user's workspaces, for a legacy token)
/// intersected with the user's memberships as they are in the database now, read on every request.
/// </summary>
public sealed record ReachableWorkspace(Guid Id, string Slug, string Name, MembershipRole Role);

/// <summary>How every credential lookup reads its one query's rows.</summary>
public static class ReachableWorkspaces
{
    /// <summary>
    /// Folds the rows of one credential joined with its effective workspaces (one row per workspace,
    /// or one row without a workspace when none is left) into the first row and the workspaces, in
    /// row order; null when there is no row, i.e. no valid credential.
    /// </summary>
    public static async Task<(TRow Credential, List<ReachableWorkspace> Reachable)?> CollectAsync<TRow>(
        IAsyncEnumerable<TRow> rows, Func<TRow, ReachableWorkspace?> workspaceOf, CancellationToken cancellationToken)
    {
        (TRow Credential, List<ReachableWorkspace> Reachable)? found = null;
        await foreach (var row in rows.WithCancellation(cancellationToken))
        {
            found ??= (row, []);
            if (workspaceOf(row) is { } workspace)
            {
                found.Value.Reachable.Add(workspace);
            }
        }

        return found;
    }
}
