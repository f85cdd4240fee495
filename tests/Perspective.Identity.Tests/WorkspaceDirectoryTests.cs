using Microsoft.EntityFrameworkCore;
using Perspective.Identity.Workspaces;

namespace Perspective.Identity.Tests;

public sealed class WorkspaceDirectoryTests : IAsyncLifetime
{
    private readonly IdentityTestDatabase database = new();

    public Task InitializeAsync() => database.InitializeAsync();

    public Task DisposeAsync() => database.DisposeAsync();

    [Fact]
    public async Task Creating_a_workspace_makes_the_creator_its_owner()
    {
        var owner = await database.CreateUserAsync("owner@example.com");

        var workspace = await database.Workspaces.CreateWorkspaceAsync(" team-alpha ", " Team Alpha ", owner.Id);

        Assert.Equal("team-alpha", workspace.Slug);
        Assert.Equal("Team Alpha", workspace.Name);
        var membership = await database.Db.Memberships.SingleAsync(m => m.WorkspaceId == workspace.Id);
        Assert.Equal((owner.Id, MembershipRole.Owner), (membership.UserId, membership.Role));
    }

    [Theory]
    [InlineData("")]
    [InlineData("Upper-Case")]
    [InlineData("-leading")]
    [InlineData("trailing-")]
    [InlineData("with space")]
    [InlineData("a-very-long-slug-that-goes-on-and-on-past-the-sixty-four-character-limit")]
    public async Task A_slug_that_cannot_be_used_in_an_address_is_refused(string slug)
    {
        var owner = await database.CreateUserAsync("owner@example.com");

        var error = await Assert.ThrowsAsync<WorkspaceRuleViolation>(() => database.Workspaces.CreateWorkspaceAsync(slug, "Name", owner.Id));

        Assert.Equal(WorkspaceRule.InvalidSlug, error.Rule);
        Assert.Empty(database.Db.Workspaces);
    }

    [Theory]
    [InlineData("   ")]
    [InlineData("Tab\tinside")]
    public async Task A_blank_name_or_one_with_control_characters_is_refused(string name)
    {
        var owner = await database.CreateUserAsync("owner@example.com");

        var error = await Assert.ThrowsAsync<WorkspaceRuleViolation>(() => database.Workspaces.CreateWorkspaceAsync("ok-slug", name, owner.Id));

        Assert.Equal(WorkspaceRule.InvalidName, error.Rule);
    }

    [Fact]
    public async Task Two_workspaces_cannot_share_a_slug()
    {
        var owner = await database.CreateUserAsync("owner@example.com");
        await database.Workspaces.CreateWorkspaceAsync("shared", "First", owner.Id);

        var error = await Assert.ThrowsAsync<WorkspaceRuleViolation>(() => database.Workspaces.CreateWorkspaceAsync("shared", "Second", owner.Id));

        Assert.Equal(WorkspaceRule.SlugTaken, error.Rule);
        Assert.Equal(1, await database.Db.Workspaces.CountAsync());
    }

    [Fact]
    public async Task A_workspace_needs_an_existing_owner()
    {
        var error = await Assert.ThrowsAsync<WorkspaceRuleViolation>(() => database.Workspaces.CreateWorkspaceAsync("orphan", "Orphan", "no-such-user"));

        Assert.Equal(WorkspaceRule.UnknownUser, error.Rule);
        Assert.Empty(database.Db.Workspaces);
    }

    [Fact]
    public async Task Adding_an_existing_member_again_is_refused()
    {
        var owner = await database.CreateUserAsync("owner@example.com");
        var member = await database.CreateUserAsync("member@example.com");
        var workspace = await database.Workspaces.CreateWorkspaceAsync("team", "Team", owner.Id);
        await database.Workspaces.AddMemberAsync(workspace.Id, member.Id, MembershipRole.Member);

        var error = await Assert.ThrowsAsync<WorkspaceRuleViolation>(() =>
            database.Workspaces.AddMemberAsync(workspace.Id, member.Id, MembershipRole.Owner));

        Assert.Equal(WorkspaceRule.AlreadyMember, error.Rule);
        Assert.Equal(MembershipRole.Member, (await database.Db.Memberships.SingleAsync(m => m.UserId == member.Id)).Role);
    }

    [Fact]
    public async Task Members_can_only_be_added_to_existing_workspaces()
    {
        var member = await database.CreateUserAsync("member@example.com");

        var error = await Assert.ThrowsAsync<WorkspaceRuleViolation>(() =>
            database.Workspaces.AddMemberAsync(Guid.NewGuid(), member.Id, MembershipRole.Member));

        Assert.Equal(WorkspaceRule.UnknownWorkspace, error.Rule);
    }

    [Fact]
    public async Task Removing_someone_who_is_not_a_member_is_refused()
    {
        var owner = await database.CreateUserAsync("owner@example.com");
        var stranger = await database.CreateUserAsync("stranger@example.com");
        var workspace = await database.Workspaces.CreateWorkspaceAsync("team", "Team", owner.Id);

        var error = await Assert.ThrowsAsync<WorkspaceRuleViolation>(() => database.Workspaces.RemoveMemberAsync(workspace.Id, stranger.Id));

        Assert.Equal(WorkspaceRule.NotMember, error.Rule);
    }

    [Fact]
    public async Task The_last_owner_cannot_be_removed()
    {
        var owner = await database.CreateUserAsync("owner@example.com");
        var member = await database.CreateUserAsync("member@example.com");
        var workspace = await database.Workspaces.CreateWorkspaceAsync("team", "Team", owner.Id);
        await database.Workspaces.AddMemberAsync(workspace.Id, member.Id, MembershipRole.Member);

        var error = await Assert.ThrowsAsync<WorkspaceRuleViolation>(() => database.Workspaces.RemoveMemberAsync(workspace.Id, owner.Id));

        Assert.Equal(WorkspaceRule.LastOwner, error.Rule);
        Assert.Equal(2, await database.Db.Memberships.CountAsync(m => m.WorkspaceId == workspace.Id));
    }

    [Fact]
    public async Task An_owner_can_be_removed_while_another_owner_remains()
    {
        var owner = await database.CreateUserAsync("owner@example.com");
        var coOwner = await database.CreateUserAsync("co-owner@example.com");
        var workspace = await database.Workspaces.CreateWorkspaceAsync("team", "Team", owner.Id);
        await database.Workspaces.AddMemberAsync(workspace.Id, coOwner.Id, MembershipRole.Owner);

        await database.Workspaces.RemoveMemberAsync(workspace.Id, owner.Id);

        var remaining = await database.Db.Memberships.SingleAsync(m => m.WorkspaceId == workspace.Id);
        Assert.Equal(coOwner.Id, remaining.UserId);
    }

    [Fact]
    public async Task A_member_sees_only_their_workspaces_by_name_page_after_page()
    {
        var user = await database.CreateUserAsync("user@example.com");
        var other = await database.CreateUserAsync("other@example.com");
        await database.Workspaces.CreateWorkspaceAsync("zeta", "Zeta", user.Id);
        await database.Workspaces.CreateWorkspaceAsync("alpha", "Alpha", user.Id);
        await database.Workspaces.CreateWorkspaceAsync("alpha-2", "Alpha", user.Id);
        await database.Workspaces.CreateWorkspaceAsync("hidden", "Beta", other.Id);

        var first = await database.Workspaces.ListForMemberAsync(user.Id, after: null, limit: 2);
        var last = first[^1];
        var second = await database.Workspaces.ListForMemberAsync(user.Id, new WorkspaceCursor(last.Name, last.Slug), limit: 2);

        Assert.Equal(["alpha", "alpha-2"], first.Select(w => w.Slug));
        Assert.Equal(["zeta"], second.Select(w => w.Slug));
        Assert.All(first.Concat(second), w => Assert.Equal(MembershipRole.Owner, w.Role));
    }
}
