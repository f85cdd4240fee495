using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Perspective.Identity.Workspaces;

/// <summary>
/// The one mapping of the Workspaces and Memberships tables. Identity owns them and migrates them; a
/// module whose tables refer to workspaces (keys, content) maps them with this same mapping, left out
/// of its own migrations, so no module's view of the tables can drift from the tables themselves.
/// </summary>
public static class WorkspaceTables
{
    /// <param name="builder">The model of the context that maps the tables.</param>
    /// <param name="migratedHere">True only in Identity's context; every other module's migrations leave the tables out.</param>
    /// <param name="withMemberships">False for a module that refers to workspaces but never reads memberships.</param>
    public static ModelBuilder MapWorkspaceTables(this ModelBuilder builder, bool migratedHere, bool withMemberships = true)
    {
        builder.Entity<Workspace>(workspace =>
        {
            ToTable(workspace, "Workspaces", migratedHere);
            workspace.HasKey(w => w.Id);
            workspace.Property(w => w.Slug).HasMaxLength(Workspace.SlugMaxLength);
            workspace.Property(w => w.Name).HasMaxLength(Workspace.NameMaxLength);
            workspace.HasIndex(w => w.Slug).IsUnique();
            if (!withMemberships)
            {
                workspace.Ignore(w => w.Memberships);
            }
        });

        if (withMemberships)
        {
            builder.Entity<Membership>(membership =>
            {
                ToTable(membership, "Memberships", migratedHere);
                membership.HasKey(m => new { m.WorkspaceId, m.UserId });
                membership.HasIndex(m => m.UserId);
                membership.Property(m => m.Role).HasConversion<string>().HasMaxLength(16);
                membership.HasOne(m => m.Workspace).WithMany(w => w.Memberships).HasForeignKey(m => m.WorkspaceId);
                membership.HasOne(m => m.User).WithMany().HasForeignKey(m => m.UserId);
            });
        }

        return builder;
    }

    private static void ToTable<T>(EntityTypeBuilder<T> entity, string table, bool migratedHere)
        where T : class
    {
        if (migratedHere)
        {
            entity.ToTable(table);
        }
        else
        {
            entity.ToTable(table, t => t.ExcludeFromMigrations());
        }
    }
}
