using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using OpenIddict.EntityFrameworkCore.Models;
using Perspective.Identity.Accounts;
using Perspective.Identity.OAuth;
using Perspective.Identity.Workspaces;
using Perspective.Platform.Storage;

namespace Perspective.Identity.Storage;

/// <summary>The Identity module's tables: accounts, workspaces, memberships and the data-protection key ring.</summary>
public class IdentityDataContext : IdentityDbContext<PlatformUser>, IDataProtectionKeyContext
{
    public IdentityDataContext(DbContextOptions<IdentityDataContext> options)
        : base(options)
    {
    }

    /// <summary>For the PostgreSQL subclass, which owns that provider's migrations.</summary>
    protected IdentityDataContext(DbContextOptions options)
        : base(options)
    {
    }

    public const string MigrationsHistoryTable = "__IdentityMigrationsHistory";

    /// <summary>First: every other module's tables refer to its users and workspaces.</summary>
    public const int MigrationOrder = 0;

    public DbSet<Workspace> Workspaces => Set<Workspace>();

    public DbSet<Membership> Memberships => Set<Membership>();

    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    public DbSet<OAuthServerKey> OAuthServerKeys => Set<OAuthServerKey>();

    public DbSet<GrantWorkspace> GrantWorkspaces => Set<GrantWorkspace>();

    public DbSet<GrantRevocation> GrantRevocations => Set<GrantRevocation>();

    /// <summary>The unique index that keeps one live grant per (app, user): see <see cref="OAuth.ConsentedGrants"/>.</summary>
    public const string OneGrantPerClientIndex = "IX_OpenIddictAuthorizations_OneGrantPerClient";

    protected override void ConfigureConventions(ModelConfigurationBuilder configuration) => configuration.UsePlatformConventions();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.UseOpenIddict();

        builder.Entity<PlatformUser>(user =>
        {
            user.Property(u => u.DisplayName).HasMaxLength(PlatformUser.DisplayNameMaxLength);
        });

        builder.MapWorkspaceTables(migratedHere: true);

        builder.Entity<OAuthServerKey>(key =>
        {
            key.ToTable("OAuthServerKeys");
            key.HasKey(k => k.Purpose);
            key.Property(k => k.Purpose).HasMaxLength(16);
            key.Property(k => k.EncryptedWithCertificate).HasMaxLength(64);
        });

        builder.Entity<GrantWorkspace>(grant =>
        {
            grant.ToTable("OAuthGrantWorkspaces");
            grant.HasKey(g => new { g.AuthorizationId, g.WorkspaceId });
            grant.HasIndex(g => g.WorkspaceId);
            grant.HasOne<OpenIddictEntityFrameworkCoreAuthorization>().WithMany().HasForeignKey(g => g.AuthorizationId).OnDelete(DeleteBehavior.Cascade);
            grant.HasOne<Workspace>().WithMany().HasForeignKey(g => g.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<GrantRevocation>(revocation =>
        {
            revocation.ToTable("OAuthGrantRevocations");
            revocation.HasKey(r => r.AuthorizationId);
            revocation.Property(r => r.UserId).HasMaxLength(400);
            revocation.Property(r => r.Reason).HasMaxLength(GrantRevocation.ReasonMaxLength);
            revocation.HasIndex(r => new { r.UserId, r.RevokeTime });
            revocation.HasOne<OpenIddictEntityFrameworkCoreAuthorization>().WithOne().HasForeignKey<GrantRevocation>(r => r.AuthorizationId).OnDelete(DeleteBehavior.Cascade);
        });

        // At most one live permanent grant per app and user: a second consent updates the first
        // (ConnectedAppGrants), and two consents at once cannot both insert. The filter is plain SQL
        // that SQLite and PostgreSQL read alike; revoked grants leave the index.
        builder.Entity<OpenIddictEntityFrameworkCoreAuthorization>()
            .HasIndex("ApplicationId", nameof(OpenIddictEntityFrameworkCoreAuthorization.Subject))
            .IsUnique()
            .HasFilter("\"Status\" = 'valid' AND \"Type\" = 'permanent'")
            .HasDatabaseName(OneGrantPerClientIndex);
    }
}
