using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Perspective.Identity.Workspaces;
using Perspective.Keys.Storage;
using Perspective.Keys.Tokens;
using Perspective.Keys.Usage;
using Perspective.Platform.Grpc;
using Perspective.Platform.Storage;
using Perspective.Platform.Text;

namespace Perspective.Keys.Management;

/// <summary>A key as its owner sees it: never with its token.</summary>
public sealed record McpKeyView(
    string Id, string Name, string MaskedToken, IReadOnlyList<KeyWorkspaceView> Workspaces, DateTime CreateTime,
    KeyAccess Access, DateTime? ExpireTime, bool Expired, StoredUse LastUse);

/// <summary>A workspace a key is scoped to; not reachable once the owner has left it.</summary>
public sealed record KeyWorkspaceView(Guid Id, string Slug, string Name, bool Reachable);

/// <summary>A new key and its full token, which exists in memory only until this is answered.</summary>
public sealed record CreatedMcpKey(McpKeyView Key, string Token);

/// <summary>A legacy token as its owner sees it.</summary>
public sealed record LegacyTokenView(string MaskedToken, DateTime CreateTime, StoredUse LastUse);

/// <summary>A user's MCP keys and legacy token, with the rules that keep keys scoped to the user's own workspaces.</summary>
public sealed class McpKeyManager(
    KeysDataContext db, WorkspaceDirectory workspaces, LastUsedTracker lastUsed, TimeProvider clock, IOptions<McpKeyOptions> options)
{
    public async Task<CreatedMcpKey> CreateAsync(
        string userId, string name, IReadOnlyCollection<Guid> workspaceIds, KeyAccess? access, DateTime? expireTime,
        CancellationToken cancellationToken = default)
    {
        name = name.Trim();
        if (DisplayNameRules.RequiredProblem("The key name", name, McpKey.NameMaxLength) is { } problem)
        {
            throw new KeyRuleViolation(KeyRule.InvalidName, problem);
        }

        var scope = workspaceIds.Distinct().ToList();
        if (scope.Count == 0)
        {
            throw new KeyRuleViolation(KeyRule.NoWorkspaces, "Choose at least one workspace the key can access.");
        }

        if (access is null)
        {
            throw new KeyRuleViolation(KeyRule.NoAccessChosen,
                "Choose what the key may do: read only (list and read) or read & write (also create perspectives).");
        }

        if (ExpiryProblem(expireTime) is { } expiryProblem)
        {
            throw new KeyRuleViolation(KeyRule.InvalidExpiry, expiryProblem);
        }

        var memberOf = await workspaces.MemberWorkspaceIdsAsync(userId, cancellationToken);
        if (!scope.All(memberOf.Contains))
        {
            throw new KeyRuleViolation(KeyRule.NotAMember,
                "A key can only access workspaces you are a member of, and at least one of the chosen workspaces is not one of yours.");
        }

        var normalizedName = name.ToUpperInvariant();
        var keys = db.McpKeys.Where(k => k.UserId == userId);
        if (await keys.CountAsync(cancellationToken) >= options.Value.MaxKeysPerUser)
        {
            throw new KeyRuleViolation(KeyRule.TooManyKeys,
                $"You already have {options.Value.MaxKeysPerUser} keys, the most one account can hold. Delete keys you no longer use, then try again.");
        }

        if (await keys.AnyAsync(k => k.NormalizedName == normalizedName, cancellationToken))
        {
            throw DuplicateName(name);
        }

        var token = McpKeyToken.Generate();
        var id = Guid.CreateVersion7().ToString("N");
        var key = new McpKey
        {
            Id = id,
            UserId = userId,
            Name = name,
            NormalizedName = normalizedName,
            TokenHash = TokenHashing.Hash(token),
            TokenHint = TokenHashing.Hint(token),
            CreateTime = clock.UtcNowForStorage(),
            Access = access.Value,
            ExpireTime = expireTime,
            Workspaces = scope.Select(workspaceId => new McpKeyWorkspace { KeyId = id, WorkspaceId = workspaceId }).ToList(),
        };
        db.McpKeys.Add(key);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Another request created a key with the same name in between.
            db.ChangeTracker.Clear();
            throw DuplicateName(name);
        }

        var view = (await ViewsAsync(userId, [key], cancellationToken)).Single();
        return new CreatedMcpKey(view, token);
    }

    /// <summary>The longest a new key may live, when the platform sets a limit.</summary>
    public TimeSpan? MaxLifetime => options.Value.MaxLifetime;

    /// <summary>True once <paramref name="expireTime"/> has passed: the key is refused from then on.</summary>
    public static bool HasExpired(DateTime? expireTime, DateTimeOffset now) => expireTime is { } expires && expires <= now.UtcDateTime;

    private string? ExpiryProblem(DateTime? expireTime)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var max = options.Value.MaxLifetime;
        if (expireTime is null)
        {
            return max is { } required
                ? $"Keys on this platform must expire within {Days(required)}: set an expiry date no later than {now + required:yyyy-MM-dd HH:mm} UTC."
                : null;
        }

        if (expireTime <= now)
        {
            return $"The expiry date {expireTime:yyyy-MM-dd HH:mm} UTC has already passed: choose a date in the future, or no expiry.";
        }

        return max is { } longest && expireTime > now + longest
            ? $"Keys on this platform may live at most {Days(longest)}: choose an expiry date no later than {now + longest:yyyy-MM-dd HH:mm} UTC."
            : null;
    }

    private static string Days(TimeSpan span) => span.TotalDays == 1 ? "1 day" : $"{span.TotalDays:0.##} days";

    /// <summary>One page of the user's keys, newest first; fetch one more than needed to know if more follow.</summary>
    public async Task<IReadOnlyList<McpKeyView>> ListAsync(
        string userId, NewestFirstCursor? after, int limit, CancellationToken cancellationToken = default)
    {
        var query = db.McpKeys.AsNoTracking().Include(k => k.Workspaces).Where(k => k.UserId == userId);
        if (after is not null)
        {
            query = query.Where(k => k.CreateTime < after.Time ||
                                     (k.CreateTime == after.Time && string.Compare(k.Id, after.Id) < 0));
        }

        var page = await query.OrderByDescending(k => k.CreateTime).ThenByDescending(k => k.Id).Take(limit).ToListAsync(cancellationToken);
        return await ViewsAsync(userId, page, cancellationToken);
    }

    /// <summary>Deletes one of the user's keys; false when the user has no key with that id.</summary>
    public async Task<bool> DeleteAsync(string userId, string keyId, CancellationToken cancellationToken = default) =>
        await db.McpKeys.Where(k => k.Id == keyId && k.UserId == userId).ExecuteDeleteAsync(cancellationToken) > 0;

    /// <summary>Deletes any user's key (an operator's revocation); false when no key has that id.</summary>
    public async Task<bool> DeleteAnyAsync(string keyId, CancellationToken cancellationToken = default) =>
        await db.McpKeys.Where(k => k.Id == keyId).ExecuteDeleteAsync(cancellationToken) > 0;

    public async Task<LegacyTokenView?> GetLegacyTokenAsync(string userId, CancellationToken cancellationToken = default)
    {
        var legacy = await db.LegacyTokens.AsNoTracking().SingleOrDefaultAsync(t => t.UserId == userId, cancellationToken);
        return legacy is null
            ? null
            : new LegacyTokenView(
                TokenHashing.MaskLegacy(legacy.TokenHint),
                legacy.CreateTime,
                lastUsed.Latest(new UsedCredential(IsLegacyToken: true, userId),
                    new StoredUse(legacy.LastUsedTime, legacy.LastUsedClient, legacy.LastUsedAddress)));
    }

    /// <summary>Deletes the user's legacy token for good; false when there is none.</summary>
    public async Task<bool> RevokeLegacyTokenAsync(string userId, CancellationToken cancellationToken = default) =>
        await db.LegacyTokens.Where(t => t.UserId == userId).ExecuteDeleteAsync(cancellationToken) > 0;

    /// <summary>The id of the user who owns the key; null when no key has that id (or it was deleted).</summary>
    public async Task<string?> OwnerAsync(string keyId, CancellationToken cancellationToken = default) =>
        await db.McpKeys.AsNoTracking().Where(k => k.Id == keyId).Select(k => k.UserId).SingleOrDefaultAsync(cancellationToken);

    private async Task<IReadOnlyList<McpKeyView>> ViewsAsync(string userId, IReadOnlyList<McpKey> keys, CancellationToken cancellationToken)
    {
        var ids = keys.SelectMany(k => k.Workspaces).Select(w => w.WorkspaceId).Distinct().ToList();
        var names = await db.Workspaces.AsNoTracking()
            .Where(w => ids.Contains(w.Id))
            .ToDictionaryAsync(w => w.Id, w => (w.Slug, w.Name), cancellationToken);
        var memberOf = await workspaces.MemberWorkspaceIdsAsync(userId, cancellationToken);
        var now = clock.GetUtcNow();

        return keys.Select(key => new McpKeyView(
                key.Id,
                key.Name,
                TokenHashing.MaskKey(key.TokenHint),
                key.Workspaces
                    .Where(w => names.ContainsKey(w.WorkspaceId))
                    .Select(w => new KeyWorkspaceView(w.WorkspaceId, names[w.WorkspaceId].Slug, names[w.WorkspaceId].Name, memberOf.Contains(w.WorkspaceId)))
                    .OrderBy(w => w.Name, StringComparer.CurrentCultureIgnoreCase)
                    .ToList(),
                key.CreateTime,
                key.Access,
                key.ExpireTime,
                HasExpired(key.ExpireTime, now),
                lastUsed.Latest(new UsedCredential(IsLegacyToken: false, key.Id), new StoredUse(key.LastUsedTime, key.LastUsedClient, key.LastUsedAddress))))
            .ToList();
    }

    private static KeyRuleViolation DuplicateName(string name) =>
        new(KeyRule.DuplicateName, $"You already have a key named '{name}'. Choose another name.");
}
