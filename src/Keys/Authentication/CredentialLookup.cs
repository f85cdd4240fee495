using Microsoft.EntityFrameworkCore;
using Perspective.Identity.Access;
using Perspective.Keys.Storage;
using Perspective.Keys.Usage;

namespace Perspective.Keys.Authentication;

/// <summary>
/// An MCP key found by its hash, with its effective workspaces as they are now: the key's scope
/// intersected with the user's current memberships (the rule of <see cref="ReachableWorkspace"/>),
/// ordered by name then slug like everywhere else.
/// </summary>
public sealed record KeyCredential(
    string Id, string Name, string UserId, KeyAccess Access, DateTime? ExpireTime, StoredUse LastUse, List<ReachableWorkspace> Reachable);

/// <summary>A legacy token found by its hash, with its effective workspaces: all of the user's memberships now.</summary>
public sealed record LegacyCredential(string UserId, StoredUse LastUse, List<ReachableWorkspace> Reachable);

/// <summary>
/// The per-request credential lookups: one read by the indexed token hash, without change tracking,
/// that also reads the credential's effective workspaces. They are compiled once, because building
/// and matching a LINQ expression on every request cost more than the read itself (measured in bench/).
/// Kept apart so the benchmark runs exactly these.
/// </summary>
public static class CredentialLookup
{
    // One row per effective workspace (or one row without a workspace when none is left): the key
    // joined with its scope and, on the key's user, with the memberships of those workspaces.
    private static readonly Func<KeysDataContext, byte[], IAsyncEnumerable<KeyAccessRow>> KeyByHash =
        EF.CompileAsyncQuery((KeysDataContext db, byte[] hash) =>
            from key in db.McpKeys.AsNoTracking()
            where key.TokenHash == hash
            from scope in db.McpKeyWorkspaces.Where(s => s.KeyId == key.Id).DefaultIfEmpty()
            from membership in db.Memberships.Where(m => m.WorkspaceId == scope!.WorkspaceId && m.UserId == key.UserId).DefaultIfEmpty()
            orderby membership!.Workspace!.Name, membership.Workspace!.Slug
            select new KeyAccessRow(
                key.Id, key.Name, key.UserId, key.Access, key.ExpireTime, key.LastUsedTime, key.LastUsedClient, key.LastUsedAddress,
                membership == null ? null : new ReachableWorkspace(membership.WorkspaceId, membership.Workspace!.Slug, membership.Workspace.Name, membership.Role)));

    // The same for the legacy token, whose scope is every workspace of its user.
    private static readonly Func<KeysDataContext, byte[], IAsyncEnumerable<LegacyAccessRow>> LegacyByHash =
        EF.CompileAsyncQuery((KeysDataContext db, byte[] hash) =>
            from token in db.LegacyTokens.AsNoTracking()
            where token.TokenHash == hash
            from membership in db.Memberships.Where(m => m.UserId == token.UserId).DefaultIfEmpty()
            orderby membership!.Workspace!.Name, membership.Workspace!.Slug
            select new LegacyAccessRow(
                token.UserId, token.LastUsedTime, token.LastUsedClient, token.LastUsedAddress,
                membership == null ? null : new ReachableWorkspace(membership.WorkspaceId, membership.Workspace!.Slug, membership.Workspace.Name, membership.Role)));

    public static async Task<KeyCredential?> FindKeyAsync(KeysDataContext db, byte[] hash, CancellationToken cancellationToken) =>
        await ReachableWorkspaces.CollectAsync(KeyByHash(db, hash), row => row.Workspace, cancellationToken) is (var key, var reachable)
            ? new KeyCredential(key.Id, key.Name, key.UserId, key.Access, key.ExpireTime,
                new StoredUse(key.LastUsedTime, key.LastUsedClient, key.LastUsedAddress), reachable)
            : null;

    public static async Task<LegacyCredential?> FindLegacyTokenAsync(KeysDataContext db, byte[] hash, CancellationToken cancellationToken) =>
        await ReachableWorkspaces.CollectAsync(LegacyByHash(db, hash), row => row.Workspace, cancellationToken) is (var token, var reachable)
            ? new LegacyCredential(token.UserId, new StoredUse(token.LastUsedTime, token.LastUsedClient, token.LastUsedAddress), reachable)
            : null;

    private sealed record KeyAccessRow(
        string Id, string Name, string UserId, KeyAccess Access, DateTime? ExpireTime,
        DateTime? LastUsedTime, string? LastUsedClient, string? LastUsedAddress, ReachableWorkspace? Workspace);

    private sealed record LegacyAccessRow(
        string UserId, DateTime? LastUsedTime, string? LastUsedClient, string? LastUsedAddress, ReachableWorkspace? Workspace);
}
