using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Perspective.Identity.Storage;
using Perspective.Platform.Storage;
using Perspective.Platform.Text;

namespace Perspective.Identity.Workspaces;

/// <summary>A workspace as one of its members sees it.</summary>
public sealed record MemberWorkspace(Guid Id, string Slug, string Name, MembershipRole Role);

/// <summary>A workspace as operators see it.</summary>
public sealed record WorkspaceSummary(Guid Id, string Slug, string Name, int MemberCount, DateTime CreateTime);

/// <summary>Where a page of workspaces ordered by name continues.</summary>
public sealed record WorkspaceCursor(string Name, string Slug);

/// <summary>Workspaces and memberships, with the rules that keep every workspace owned and addressable.</summary>
public sealed partial class WorkspaceDirectory(IdentityDataContext db, TimeProvider clock)
{
    public async Task<Workspace> CreateWorkspaceAsync(string slug, string name, string ownerUserId, CancellationToken cancellationToken = default)
    {
        slug = slug.Trim();
        name = name.Trim();
        if (!SlugPattern().IsMatch(slug))
        {
            throw new WorkspaceRuleViolation(WorkspaceRule.InvalidSlug,
                $"The slug must be 1 to {Workspace.SlugMaxLength} lowercase letters, digits or inner hyphens, such as 'acme-research'.");
        }

        if (DisplayNameRules.RequiredProblem("The name", name, Workspace.NameMaxLength) is { } problem)
        {
            throw new WorkspaceRuleViolation(WorkspaceRule.InvalidName, problem);
        }

        await EnsureUserExistsAsync(ownerUserId, cancellationToken);
        if (await db.Workspaces.AnyAsync(w => w.Slug == slug, cancellationToken))
        {
            throw SlugTaken(slug);
        }

        var now = clock.UtcNowForStorage();
        var workspace = new Workspace { Id = Guid.NewGuid(), Slug = slug, Name = name, CreateTime = now };
        workspace.Memberships.Add(new Membership { UserId = ownerUserId, Role = MembershipRole.Owner, CreateTime = now });
        db.Workspaces.Add(workspace);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Another request took the slug between the check and the insert.
            db.ChangeTracker.Clear();
            throw SlugTaken(slug);
        }

        return workspace;
    }

    public async Task AddMemberAsync(Guid workspaceId, string userId, MembershipRole role, CancellationToken cancellationToken = default)
    {
        await EnsureWorkspaceExistsAsync(workspaceId, cancellationToken);
        await EnsureUserExistsAsync(userId, cancellationToken);
        if (await db.Memberships.AnyAsync(m => m.WorkspaceId == workspaceId && m.UserId == userId, cancellationToken))
        {
            throw new WorkspaceRuleViolation(WorkspaceRule.AlreadyMember, "The user is already a member of this workspace.");
        }

        db.Memberships.Add(new Membership
        {
            WorkspaceId = workspaceId,
            UserId = userId,
            Role = role,
            CreateTime = clock.UtcNowForStorage(),
        });
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task RemoveMemberAsync(Guid workspaceId, string userId, CancellationToken cancellationToken = default)
    {
        var membership = await db.Memberships.SingleOrDefaultAsync(m => m.WorkspaceId == workspaceId && m.UserId == userId, cancellationToken)
            ?? throw new WorkspaceRuleViolation(WorkspaceRule.NotMember, "The user is not a member of this workspace.");

        if (membership.Role == MembershipRole.Owner &&
            !await db.Memberships.AnyAsync(m => m.WorkspaceId == workspaceId && m.UserId != userId && m.Role == MembershipRole.Owner, cancellationToken))
        {
            throw new WorkspaceRuleViolation(WorkspaceRule.LastOwner,
                "This is the workspace's last owner. Make another member an owner before removing this one.");
        }

        db.Memberships.Remove(membership);
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>One page of the user's workspaces ordered by name, then slug; fetch one more than needed to know if more follow.</summary>
    public async Task<IReadOnlyList<MemberWorkspace>> ListForMemberAsync(
        string userId, WorkspaceCursor? after, int limit, CancellationToken cancellationToken = default)
    {
        var query = db.Memberships.AsNoTracking().Where(m => m.UserId == userId);
        if (after is not null)
        {
            query = query.Where(m => string.Compare(m.Workspace!.Name, after.Name) > 0 ||
                                     (m.Workspace!.Name == after.Name && string.Compare(m.Workspace.Slug, after.Slug) > 0));
        }

        return await query
            .OrderBy(m => m.Workspace!.Name).ThenBy(m => m.Workspace!.Slug)
            .Take(limit)
            .Select(m => new MemberWorkspace(m.WorkspaceId, m.Workspace!.Slug, m.Workspace.Name, m.Role))
            .ToListAsync(cancellationToken);
    }

    /// <summary>One page of all workspaces ordered by slug; fetch one more than needed to know if more follow.</summary>
    public Task<List<WorkspaceSummary>> ListAllAsync(string? afterSlug, int limit, CancellationToken cancellationToken = default)
    {
        var query = db.Workspaces.AsNoTracking();
        if (afterSlug is not null)
        {
            query = query.Where(w => string.Compare(w.Slug, afterSlug) > 0);
        }

        return query.OrderBy(w => w.Slug).Take(limit)
            .Select(w => new WorkspaceSummary(w.Id, w.Slug, w.Name, w.Memberships.Count, w.CreateTime))
            .ToListAsync(cancellationToken);
    }

    /// <summary>The ids of every workspace the user is a member of now. Read on every access decision; never cached.</summary>
    public async Task<HashSet<Guid>> MemberWorkspaceIdsAsync(string userId, CancellationToken cancellationToken = default) =>
        (await db.Memberships.AsNoTracking().Where(m => m.UserId == userId).Select(m => m.WorkspaceId).ToListAsync(cancellationToken))
            .ToHashSet();

    /// <summary>The display names of the workspaces with these ids that exist (for showing activity, never for access).</summary>
    public async Task<IReadOnlyDictionary<Guid, string>> NamesAsync(IReadOnlyCollection<Guid> ids, CancellationToken cancellationToken = default) =>
        await db.Workspaces.AsNoTracking().Where(w => ids.Contains(w.Id)).ToDictionaryAsync(w => w.Id, w => w.Name, cancellationToken);

    private async Task EnsureUserExistsAsync(string userId, CancellationToken cancellationToken)
    {
        if (!await db.Users.AnyAsync(u => u.Id == userId, cancellationToken))
        {
            throw new WorkspaceRuleViolation(WorkspaceRule.UnknownUser, "No user has that id.");
        }
    }

    private async Task EnsureWorkspaceExistsAsync(Guid workspaceId, CancellationToken cancellationToken)
    {
        if (!await db.Workspaces.AnyAsync(w => w.Id == workspaceId, cancellationToken))
        {
            throw new WorkspaceRuleViolation(WorkspaceRule.UnknownWorkspace, "No workspace has that id.");
        }
    }

    private static WorkspaceRuleViolation SlugTaken(string slug) =>
        new(WorkspaceRule.SlugTaken, $"The slug '{slug}' is already used by another workspace; choose another.");

    [GeneratedRegex("^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")]
    private static partial Regex SlugPattern();
}
