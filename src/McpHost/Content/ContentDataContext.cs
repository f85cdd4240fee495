using Microsoft.EntityFrameworkCore;
using Perspective.Identity.Storage;
using Perspective.Identity.Workspaces;
using Perspective.Platform.Storage;

namespace Perspective.McpHost.Content;

/// <summary>
/// Workspace content the MCP tools expose. Workspaces belong to the Identity module: mapped here
/// with Identity's own <see cref="WorkspaceTables"/> only so content references them (and goes with
/// them), never migrated here.
/// </summary>
public class ContentDataContext : ModuleDbContext
{
    public ContentDataContext(DbContextOptions<ContentDataContext> options)
        : base(options)
    {
    }

    /// <summary>For the PostgreSQL subclass, which owns that provider's migrations.</summary>
    protected ContentDataContext(DbContextOptions options)
        : base(options)
    {
    }

    public const string MigrationsHistoryTable = "__ContentMigrationsHistory";

    /// <summary>After Identity's, whose workspaces content refers to.</summary>
    public const int MigrationOrder = IdentityDataContext.MigrationOrder + 1;

    public DbSet<PerspectiveAgent> Perspectives => Set<PerspectiveAgent>();

    public DbSet<Conversation> Conversations => Set<Conversation>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        builder.MapWorkspaceTables(migratedHere: false, withMemberships: false);

        builder.Entity<PerspectiveAgent>(perspective =>
        {
            perspective.ToTable("Perspectives");
            perspective.HasKey(p => p.Id);
            perspective.Property(p => p.Id).HasMaxLength(32);
            perspective.Property(p => p.Title).HasMaxLength(PerspectiveAgent.TitleMaxLength);
            perspective.Property(p => p.Description).HasMaxLength(PerspectiveAgent.DescriptionMaxLength);
            perspective.Property(p => p.Status).HasConversion<string>().HasMaxLength(16);
            perspective.HasIndex(p => new { p.WorkspaceId, p.CreateTime });
            perspective.HasOne<Workspace>().WithMany().HasForeignKey(p => p.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<Conversation>(conversation =>
        {
            conversation.ToTable("Conversations");
            conversation.HasKey(c => c.Id);
            conversation.Property(c => c.Id).HasMaxLength(32);
            conversation.Property(c => c.PerspectiveId).HasMaxLength(32);
            conversation.Property(c => c.Participant).HasMaxLength(100);
            conversation.HasIndex(c => new { c.WorkspaceId, c.PerspectiveId, c.StartTime });
            conversation.HasOne<PerspectiveAgent>().WithMany().HasForeignKey(c => c.PerspectiveId).OnDelete(DeleteBehavior.Cascade);
        });
    }
}
