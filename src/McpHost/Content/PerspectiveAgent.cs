namespace Perspective.McpHost.Content;

/// <summary>A conversation agent in a workspace: what it asks about, and whether it is live.</summary>
public sealed class PerspectiveAgent
{
    public const int TitleMaxLength = 120;
    public const int DescriptionMaxLength = 2000;

    /// <summary>A version-7 GUID in "N" form, so ids sort by creation.</summary>
    public required string Id { get; init; }

    public Guid WorkspaceId { get; init; }

    public required string Title { get; init; }

    public required string Description { get; init; }

    public PerspectiveStatus Status { get; init; }

    /// <summary>UTC.</summary>
    public DateTime CreateTime { get; init; }
}

public enum PerspectiveStatus
{
    Draft = 1,
    Live = 2,
}
