using Microsoft.EntityFrameworkCore;
using Perspective.Platform.Storage;

namespace Perspective.Activity.Storage;

/// <summary>
/// The Activity module's tables. Rows name users and credentials by id, without foreign keys: the
/// module knows no other. A deleted key's or disconnected app's rows stay but are no longer shown,
/// because the services answer only for credentials that still exist.
/// </summary>
public class ActivityDataContext : ModuleDbContext
{
    public ActivityDataContext(DbContextOptions<ActivityDataContext> options)
        : base(options)
    {
    }

    /// <summary>For the PostgreSQL subclass, which owns that provider's migrations.</summary>
    protected ActivityDataContext(DbContextOptions options)
        : base(options)
    {
    }

    public const string MigrationsHistoryTable = "__ActivityMigrationsHistory";

    /// <summary>Its tables refer to no other module's, so any place in the order will do.</summary>
    public const int MigrationOrder = 1;

    public DbSet<RecordedToolCall> ToolCalls => Set<RecordedToolCall>();

    public DbSet<DailyToolReads> DailyReads => Set<DailyToolReads>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        builder.Entity<RecordedToolCall>(call =>
        {
            call.ToTable("ActivityToolCalls");
            call.HasKey(c => c.Id);
            call.Property(c => c.Id).HasMaxLength(32);
            call.Property(c => c.UserId).HasMaxLength(64);
            call.Property(c => c.CredentialKind).HasMaxLength(CredentialKinds.MaxLength);
            call.Property(c => c.CredentialId).HasMaxLength(100);
            call.Property(c => c.Tool).HasMaxLength(64);
            call.Property(c => c.ObjectId).HasMaxLength(100);
            call.Property(c => c.Client).HasMaxLength(RecordedToolCall.ClientMaxLength);
            call.Property(c => c.Address).HasMaxLength(64);

            // "Newest first for one credential", paged by (time, id).
            call.HasIndex(c => new { c.CredentialKind, c.CredentialId, c.Time, c.Id });
        });

        builder.Entity<DailyToolReads>(reads =>
        {
            reads.ToTable("ActivityDailyReads");
            reads.HasKey(r => new { r.CredentialKind, r.CredentialId, r.Tool, r.Day });
            reads.Property(r => r.CredentialKind).HasMaxLength(CredentialKinds.MaxLength);
            reads.Property(r => r.CredentialId).HasMaxLength(100);
            reads.Property(r => r.Tool).HasMaxLength(64);
            reads.Property(r => r.UserId).HasMaxLength(64);
        });
    }
}
