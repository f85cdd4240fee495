namespace Perspective.Identity.Workspaces;

/// <summary>A place where people work; reached by assistants only through its members' credentials.</summary>
public sealed class Workspace
{
    public const int SlugMaxLength = 64;
    public const int NameMaxLength = 100;

    public Guid Id { get; init; }

    public required string Slug { get; init; }

    public required string Name { get; set; }

    /// <summary>UTC.</summary>
    public DateTime CreateTime { get; init; }

    public List<Membership> Memberships { get; init; } = [];
}
