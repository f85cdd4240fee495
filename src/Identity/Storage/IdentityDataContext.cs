using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Perspective.Identity.Accounts;
using Perspective.Identity.Workspaces;

namespace Perspective.Identity.Storage;

/// <summary>The Identity module's tables: accounts, workspaces, memberships and the data-protection key ring.</summary>
public sealed class IdentityDataContext(DbContextOptions<IdentityDataContext> options)
    : IdentityDbContext<PlatformUser>(options), IDataProtectionKeyContext
{
    public const string MigrationsHistoryTable = "__IdentityMigrationsHistory";

    public DbSet<Workspace> Workspaces => Set<Workspace>();

    public DbSet<Membership> Memberships => Set<Membership>();

    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    protected override void ConfigureConventions(ModelConfigurationBuilder configuration) =>
        configuration.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);

        builder.Entity<PlatformUser>(user =>
        {
            user.Property(u => u.DisplayName).HasMaxLength(PlatformUser.DisplayNameMaxLength);
        });

        builder.Entity<Workspace>(workspace =>
        {
            workspace.ToTable("Workspaces");
            workspace.HasKey(w => w.Id);
            workspace.Property(w => w.Slug).HasMaxLength(Workspace.SlugMaxLength);
            workspace.Property(w => w.Name).HasMaxLength(Workspace.NameMaxLength);
            workspace.HasIndex(w => w.Slug).IsUnique();
        });

        builder.Entity<Membership>(membership =>
        {
            membership.ToTable("Memberships");
            membership.HasKey(m => new { m.WorkspaceId, m.UserId });
            membership.HasIndex(m => m.UserId);
            membership.Property(m => m.Role).HasConversion<string>().HasMaxLength(16);
            membership.HasOne(m => m.Workspace).WithMany(w => w.Memberships).HasForeignKey(m => m.WorkspaceId);
            membership.HasOne(m => m.User).WithMany().HasForeignKey(m => m.UserId);
        });
    }
}
