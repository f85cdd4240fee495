using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Perspective.Identity.Storage;
using Perspective.Identity.Workspaces;

namespace Perspective.Identity.Access;

/// <summary>A workspace an MCP request may reach, with the caller's role in it.</summary>
public sealed record ReachableWorkspace(Guid Id, string Slug, string Name, MembershipRole Role);

/// <summary>
/// The effective workspaces of an MCP request: the credential's scope (or everything, for a legacy
/// token) intersected with the user's memberships as they are in the database right now. It is
/// computed on every request and never cached, so removing a member takes effect at once. A
/// credential handler that read the same intersection together with the credential hands it over
/// through <see cref="RequestWorkspaces"/> (this request only) instead of a second query.
/// </summary>
public sealed class EffectiveWorkspaces(IdentityDataContext db, RequestWorkspaces alreadyRead)
{
    // Compiled once: this runs on every MCP request (see bench/ for what that saves).
    private static readonly Func<IdentityDataContext, string, IAsyncEnumerable<ReachableWorkspace>> AllOfMember =
        EF.CompileAsyncQuery((IdentityDataContext db, string userId) =>
            db.Memberships.AsNoTracking()
                .Where(m => m.UserId == userId)
                .OrderBy(m => m.Workspace!.Name).ThenBy(m => m.Workspace!.Slug)
                .Select(m => new ReachableWorkspace(m.WorkspaceId, m.Workspace!.Slug, m.Workspace.Name, m.Role)));

    public async Task<IReadOnlyList<ReachableWorkspace>> ResolveAsync(ClaimsPrincipal caller, CancellationToken cancellationToken)
    {
        if (alreadyRead.TryGet(caller, out var readWithCredential))
        {
            return readWithCredential;
        }

        var userId = caller.UserId();
        if (userId is null)
        {
            return [];
        }

        // A user has few memberships: reading them all and keeping the scoped ones in memory avoids a
        // collection parameter, for which EF Core would generate the SQL again on every call.
        HashSet<Guid>? scope = caller.HasClaim(c => c.Type == McpClaims.AllWorkspaces)
            ? null
            : caller.FindAll(McpClaims.Workspace).Select(c => Guid.TryParse(c.Value, out var id) ? id : Guid.Empty).ToHashSet();

        var reachable = new List<ReachableWorkspace>();
        await foreach (var workspace in AllOfMember(db, userId).WithCancellation(cancellationToken))
        {
            if (scope is null || scope.Contains(workspace.Id))
            {
                reachable.Add(workspace);
            }
        }

        return reachable;
    }
}
