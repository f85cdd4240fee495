using Microsoft.EntityFrameworkCore;
using Perspective.Keys.Storage;

namespace Perspective.Keys.Authentication;

/// <summary>An MCP key found by its hash: enough to authenticate, nothing more.</summary>
public sealed record KeyCredential(string Id, string UserId, DateTime? LastUsedTime, List<Guid> Workspaces);

/// <summary>A legacy token found by its hash.</summary>
public sealed record LegacyCredential(string UserId, DateTime? LastUsedTime);

/// <summary>
/// The per-request credential lookups: one indexed read by token hash, without change tracking.
/// They are compiled once, because building and matching a LINQ expression on every request cost
/// more than the read itself (measured in bench/). Kept apart so the benchmark runs exactly these.
/// </summary>
public static class CredentialLookup
{
    private static readonly Func<KeysDataContext, byte[], CancellationToken, Task<KeyCredential?>> KeyByHash =
        EF.CompileAsyncQuery((KeysDataContext db, byte[] hash, CancellationToken _) =>
            db.McpKeys.AsNoTracking()
                .Where(k => k.TokenHash == hash)
                .Select(k => new KeyCredential(k.Id, k.UserId, k.LastUsedTime, k.Workspaces.Select(w => w.WorkspaceId).ToList()))
                .SingleOrDefault());

    private static readonly Func<KeysDataContext, byte[], CancellationToken, Task<LegacyCredential?>> LegacyByHash =
        EF.CompileAsyncQuery((KeysDataContext db, byte[] hash, CancellationToken _) =>
            db.LegacyTokens.AsNoTracking()
                .Where(t => t.TokenHash == hash)
                .Select(t => new LegacyCredential(t.UserId, t.LastUsedTime))
                .SingleOrDefault());

    public static Task<KeyCredential?> FindKeyAsync(KeysDataContext db, byte[] hash, CancellationToken cancellationToken) =>
        KeyByHash(db, hash, cancellationToken);

    public static Task<LegacyCredential?> FindLegacyTokenAsync(KeysDataContext db, byte[] hash, CancellationToken cancellationToken) =>
        LegacyByHash(db, hash, cancellationToken);
}
