using Microsoft.EntityFrameworkCore;
using Perspective.Keys.Storage;

namespace Perspective.Keys.Authentication;

/// <summary>An MCP key found by its hash: enough to authenticate, nothing more.</summary>
public sealed record KeyCredential(string Id, string UserId, DateTime? LastUsedTime, List<Guid> Workspaces);

/// <summary>A legacy token found by its hash.</summary>
public sealed record LegacyCredential(string UserId, DateTime? LastUsedTime);

/// <summary>
/// The per-request credential lookups: one indexed read by token hash, without change tracking.
/// Kept apart so the benchmark measures exactly the query authentication runs.
/// </summary>
public static class CredentialLookup
{
    public static Task<KeyCredential?> FindKeyAsync(KeysDataContext db, byte[] hash, CancellationToken cancellationToken) =>
        db.McpKeys.AsNoTracking()
            .Where(k => k.TokenHash == hash)
            .Select(k => new KeyCredential(k.Id, k.UserId, k.LastUsedTime, k.Workspaces.Select(w => w.WorkspaceId).ToList()))
            .SingleOrDefaultAsync(cancellationToken);

    public static Task<LegacyCredential?> FindLegacyTokenAsync(KeysDataContext db, byte[] hash, CancellationToken cancellationToken) =>
        db.LegacyTokens.AsNoTracking()
            .Where(t => t.TokenHash == hash)
            .Select(t => new LegacyCredential(t.UserId, t.LastUsedTime))
            .SingleOrDefaultAsync(cancellationToken);
}
