using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Perspective.Identity.Accounts;
using Perspective.Identity.Storage;
using Perspective.Identity.Workspaces;

namespace Perspective.Identity.Seeding;

/// <summary>What a demo seeding run did: whether it created anything, and whether this was the demo user's first seeding.</summary>
public sealed record DemoSeedResult(bool Created, string DemoUserId, bool DemoUserCreated, IReadOnlyDictionary<string, Guid> WorkspaceIdsBySlug);

/// <summary>
/// Seeds the local demo accounts and workspaces (configuration <c>Seed:Demo</c>). Running it again
/// creates only what is missing, so it is safe on every start.
/// </summary>
public sealed class DemoSeed(
    UserManager<PlatformUser> users, IdentityDataContext db, WorkspaceDirectory workspaces, ILogger<DemoSeed> logger)
{
    public const string DemoEmail = "demo@perspective.local";
    public const string DemoPassword = "Perspective-demo-1";
    public const string SecondEmail = "sam@perspective.local";
    public const string SecondPassword = "Perspective-demo-2";

    /// <summary>The demo user's workspaces and the one only the second user belongs to, so leaks would show.</summary>
    public static readonly (string Slug, string Name)[] DemoWorkspaces =
    [
        ("acme-research", "Acme Research"),
        ("northwind-product", "Northwind Product"),
    ];

    public static readonly (string Slug, string Name) OtherWorkspace = ("globex-strategy", "Globex Strategy");

    public async Task<DemoSeedResult> SeedAsync(CancellationToken cancellationToken = default)
    {
        var created = false;
        var (demo, demoCreated) = await EnsureUserAsync(DemoEmail, "Demo User", DemoPassword);
        var (second, secondCreated) = await EnsureUserAsync(SecondEmail, "Sam Rivera", SecondPassword);
        created |= demoCreated | secondCreated;

        created |= await EnsureWorkspaceAsync(DemoWorkspaces[0], owner: demo, member: second, cancellationToken);
        created |= await EnsureWorkspaceAsync(DemoWorkspaces[1], owner: second, member: demo, cancellationToken);
        created |= await EnsureWorkspaceAsync(OtherWorkspace, owner: second, member: null, cancellationToken);
        var slugs = DemoWorkspaces.Append(OtherWorkspace).Select(w => w.Slug).ToList();
        var workspaceIds = await db.Workspaces.AsNoTracking().Where(w => slugs.Contains(w.Slug)).ToDictionaryAsync(w => w.Slug, w => w.Id, cancellationToken);

        if (created)
        {
            logger.LogInformation("Seeded the demo accounts {DemoEmail} and {SecondEmail} and their workspaces.", DemoEmail, SecondEmail);
        }

        return new DemoSeedResult(created, demo.Id, demoCreated, workspaceIds);
    }

    private async Task<(PlatformUser User, bool Created)> EnsureUserAsync(string email, string displayName, string password)
    {
        var user = await users.FindByEmailAsync(email);
        if (user is not null)
        {
            return (user, false);
        }

        user = new PlatformUser { UserName = email, Email = email, EmailConfirmed = true, DisplayName = displayName };
        var result = await users.CreateAsync(user, password);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException(
                $"Could not seed the demo user {email}: {string.Join(" ", result.Errors.Select(e => e.Description))}");
        }

        return (user, true);
    }

    private async Task<bool> EnsureWorkspaceAsync(
        (string Slug, string Name) seed, PlatformUser owner, PlatformUser? member, CancellationToken cancellationToken)
    {
        var created = false;
        var workspace = await db.Workspaces.AsNoTracking().SingleOrDefaultAsync(w => w.Slug == seed.Slug, cancellationToken);
        if (workspace is null)
        {
            workspace = await workspaces.CreateWorkspaceAsync(seed.Slug, seed.Name, owner.Id, cancellationToken);
            created = true;
        }

        if (member is not null &&
            !await db.Memberships.AnyAsync(m => m.WorkspaceId == workspace.Id && m.UserId == member.Id, cancellationToken))
        {
            await workspaces.AddMemberAsync(workspace.Id, member.Id, MembershipRole.Member, cancellationToken);
            created = true;
        }

        return created;
    }
}
