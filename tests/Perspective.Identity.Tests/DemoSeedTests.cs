using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Perspective.Identity.Seeding;
using Perspective.Identity.Workspaces;

namespace Perspective.Identity.Tests;

public sealed class DemoSeedTests : IAsyncLifetime
{
    private readonly IdentityTestDatabase database = new();

    public Task InitializeAsync() => database.InitializeAsync();

    public Task DisposeAsync() => database.DisposeAsync();

    [Fact]
    public async Task The_demo_user_belongs_to_two_workspaces_and_not_to_the_third()
    {
        await Seed().SeedAsync();

        var demo = await database.Db.Users.SingleAsync(u => u.Email == DemoSeed.DemoEmail);
        var slugs = (await database.Workspaces.ListForMemberAsync(demo.Id, null, 10)).Select(w => w.Slug);
        Assert.Equal(DemoSeed.DemoWorkspaces.Select(w => w.Slug).Order(), slugs.Order());

        var other = await database.Db.Workspaces.Include(w => w.Memberships).SingleAsync(w => w.Slug == DemoSeed.OtherWorkspace.Slug);
        Assert.DoesNotContain(other.Memberships, m => m.UserId == demo.Id);
        Assert.Single(other.Memberships, m => m.Role == MembershipRole.Owner);
    }

    [Fact]
    public async Task Seeding_again_changes_nothing()
    {
        var first = await Seed().SeedAsync();
        var counts = await CountsAsync();

        var second = await Seed().SeedAsync();

        Assert.True(first.Created && first.DemoUserCreated);
        Assert.False(second.Created || second.DemoUserCreated);
        Assert.Equal(first.DemoUserId, second.DemoUserId);
        Assert.Equal(counts, await CountsAsync());
    }

    [Fact]
    public async Task Seeding_restores_a_removed_demo_membership_without_duplicating_the_rest()
    {
        await Seed().SeedAsync();
        var demo = await database.Db.Users.SingleAsync(u => u.Email == DemoSeed.DemoEmail);
        var northwind = await database.Db.Workspaces.SingleAsync(w => w.Slug == "northwind-product");
        await database.Workspaces.RemoveMemberAsync(northwind.Id, demo.Id);
        database.Db.ChangeTracker.Clear();

        var again = await Seed().SeedAsync();

        Assert.True(again.Created);
        Assert.False(again.DemoUserCreated);
        Assert.Equal((2, 3, 5), await CountsAsync());
    }

    private DemoSeed Seed() => database.Services.GetRequiredService<DemoSeed>();

    private async Task<(int Users, int Workspaces, int Memberships)> CountsAsync() =>
        (await database.Db.Users.CountAsync(), await database.Db.Workspaces.CountAsync(), await database.Db.Memberships.CountAsync());
}
