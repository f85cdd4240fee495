namespace Perspective.McpHost.Content;

/// <summary>One participant's conversation with a perspective.</summary>
public sealed class Conversation
{
    /// <summary>A version-7 GUID in "N" form, so ids sort by creation.</summary>
    public required string Id { get; init; }

    public required string PerspectiveId { get; init; }

    /// <summary>Copied from the perspective, so every query can be scoped to a workspace directly.</summary>
    public Guid WorkspaceId { get; init; }

    public required string Participant { get; init; }

    /// <summary>UTC.</summary>
    public DateTime StartTime { get; init; }

    public required string Transcript { get; init; }

    public required string Summary { get; init; }
}
