namespace Perspective.Keys.Storage;

/// <summary>
/// The single unscoped token of the platform before keys were scoped: at most one per user,
/// reaching all of the user's workspaces. Nothing creates one except the demo seed.
/// </summary>
public sealed class LegacyToken
{
    public required string UserId { get; init; }

    public required byte[] TokenHash { get; init; }

    public required string TokenHint { get; init; }

    /// <summary>UTC.</summary>
    public DateTime CreateTime { get; init; }

    /// <summary>UTC, minute precision; null when never used.</summary>
    public DateTime? LastUsedTime { get; set; }

    /// <summary>The MCP client that last used the token; null when unknown.</summary>
    public string? LastUsedClient { get; set; }

    /// <summary>The network address the token was last used from; null when never used.</summary>
    public string? LastUsedAddress { get; set; }
}
