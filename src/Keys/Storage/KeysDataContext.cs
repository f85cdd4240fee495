using Microsoft.EntityFrameworkCore;
using Perspective.Identity.Accounts;
using Perspective.Identity.Storage;
using Perspective.Identity.Workspaces;
using Perspective.Platform.Storage;

namespace Perspective.Keys.Storage;

/// <summary>
/// The Keys module's tables. Users, workspaces and memberships belong to the Identity module: they
/// are mapped here (workspaces and memberships with Identity's own <see cref="WorkspaceTables"/>) only
/// so keys can reference them (and vanish with them) and so a key's effective workspaces are read in
/// the same query as the key, never migrated here.
/// </summary>
public class KeysDataContext : ModuleDbContext
{
    public KeysDataContext(DbContextOptions<KeysDataContext> options)
        : base(options)
    {
    }

    /// <summary>For the PostgreSQL subclass, which owns that provider's migrations.</summary>
    protected KeysDataContext(DbContextOptions options)
        : base(options)
    {
    }

    public const string MigrationsHistoryTable = "__KeysMigrationsHistory";

    /// <summary>After Identity's, whose users and workspaces keys refer to.</summary>
    public const int MigrationOrder = IdentityDataContext.MigrationOrder + 1;

    public DbSet<McpKey> McpKeys => Set<McpKey>();

    public DbSet<McpKeyWorkspace> McpKeyWorkspaces => Set<McpKeyWorkspace>();

    public DbSet<LegacyToken> LegacyTokens => Set<LegacyToken>();

    public DbSet<Workspace> Workspaces => Set<Workspace>();

    public DbSet<Membership> Memberships => Set<Membership>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        builder.Entity<PlatformUser>(user => user.ToTable("AspNetUsers", table => table.ExcludeFromMigrations()));
        builder.MapWorkspaceTables(migratedHere: false);

        builder.Entity<McpKey>(key =>
        {
            key.ToTable("McpKeys");
            key.HasKey(k => k.Id);
            key.Property(k => k.Id).HasMaxLength(32);
            key.Property(k => k.Name).HasMaxLength(McpKey.NameMaxLength);
            key.Property(k => k.NormalizedName).HasMaxLength(McpKey.NameMaxLength);
            key.Property(k => k.TokenHint).HasMaxLength(4);
            key.Property(k => k.LastUsedClient).HasMaxLength(McpKey.ClientMaxLength);
            key.Property(k => k.LastUsedAddress).HasMaxLength(McpKey.AddressMaxLength);
            key.HasIndex(k => k.TokenHash).IsUnique();
            key.HasIndex(k => new { k.UserId, k.NormalizedName }).IsUnique();
            key.HasIndex(k => new { k.UserId, k.CreateTime });
            key.HasOne<PlatformUser>().WithMany().HasForeignKey(k => k.UserId).OnDelete(DeleteBehavior.Cascade);
            key.HasMany(k => k.Workspaces).WithOne().HasForeignKey(w => w.KeyId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<McpKeyWorkspace>(keyWorkspace =>
        {
            keyWorkspace.ToTable("McpKeyWorkspaces");
            keyWorkspace.HasKey(w => new { w.KeyId, w.WorkspaceId });
            keyWorkspace.HasIndex(w => w.WorkspaceId);
            keyWorkspace.HasOne<Workspace>().WithMany().HasForeignKey(w => w.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<LegacyToken>(legacy =>
        {
            legacy.ToTable("LegacyTokens");
            legacy.HasKey(t => t.UserId);
            legacy.Property(t => t.TokenHint).HasMaxLength(4);
            legacy.Property(t => t.LastUsedClient).HasMaxLength(McpKey.ClientMaxLength);
            legacy.Property(t => t.LastUsedAddress).HasMaxLength(McpKey.AddressMaxLength);
            legacy.HasIndex(t => t.TokenHash).IsUnique();
            legacy.HasOne<PlatformUser>().WithMany().HasForeignKey(t => t.UserId).OnDelete(DeleteBehavior.Cascade);
        });
    }
}
