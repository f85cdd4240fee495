namespace Perspective.Keys.Storage;

/// <summary>A named, workspace-scoped MCP key. Only the hash of its token is kept.</summary>
public sealed class McpKey
{
    public const int NameMaxLength = 64;

    /// <summary>A version-7 GUID in "N" form, so ids sort by creation.</summary>
    public required string Id { get; init; }

    public required string UserId { get; init; }

    public required string Name { get; init; }

    /// <summary>Upper-cased name, so names are unique per user ignoring case.</summary>
    public required string NormalizedName { get; init; }

    public required byte[] TokenHash { get; init; }

    public required string TokenHint { get; init; }

    /// <summary>UTC.</summary>
    public DateTime CreateTime { get; init; }

    /// <summary>UTC, minute precision; null when never used.</summary>
    public DateTime? LastUsedTime { get; set; }

    public List<McpKeyWorkspace> Workspaces { get; init; } = [];
}

/// <summary>One workspace an MCP key was scoped to.</summary>
public sealed class McpKeyWorkspace
{
    public required string KeyId { get; init; }

    public Guid WorkspaceId { get; init; }
}
