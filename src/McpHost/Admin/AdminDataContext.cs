using Microsoft.EntityFrameworkCore;
using Perspective.Identity.Storage;
using Perspective.Platform.Storage;

namespace Perspective.McpHost.Admin;

/// <summary>The admin module's table: the audit log.</summary>
public class AdminDataContext : ModuleDbContext
{
    public AdminDataContext(DbContextOptions<AdminDataContext> options)
        : base(options)
    {
    }

    /// <summary>For the PostgreSQL subclass, which owns that provider's migrations.</summary>
    protected AdminDataContext(DbContextOptions options)
        : base(options)
    {
    }

    public const string MigrationsHistoryTable = "__AdminMigrationsHistory";

    /// <summary>The audit log refers to no other table; it comes after Identity's like every module's.</summary>
    public const int MigrationOrder = IdentityDataContext.MigrationOrder + 1;

    public DbSet<AuditEvent> AuditEvents => Set<AuditEvent>();

    protected override void OnModelCreating(ModelBuilder builder) =>
        builder.Entity<AuditEvent>(audit =>
        {
            audit.ToTable("AuditEvents");
            audit.HasKey(a => a.Id);
            audit.Property(a => a.Id).HasMaxLength(32);
            audit.Property(a => a.Actor).HasMaxLength(200);
            audit.Property(a => a.Action).HasMaxLength(64);
            audit.Property(a => a.Target).HasMaxLength(AuditEvent.TargetMaxLength);
            audit.Property(a => a.Outcome).HasMaxLength(32).HasDefaultValue("OK");
            audit.HasIndex(a => a.Time);
        });
}
