namespace Perspective.Keys.Storage;

/// <summary>A named, workspace-scoped MCP key. Only the hash of its token is kept.</summary>
public sealed class McpKey
{
    public const int NameMaxLength = 64;

    /// <summary>Longest client name kept for last use (the MCP host cuts names to this).</summary>
    public const int ClientMaxLength = 64;

    /// <summary>Longest address kept for last use (an IPv6 address with a zone fits).</summary>
    public const int AddressMaxLength = 64;

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

    /// <summary>What the key may do; keys made before access levels existed are read &amp; write.</summary>
    public KeyAccess Access { get; init; } = KeyAccess.ReadWrite;

    /// <summary>UTC; from then on the key is refused. Null: the key never expires.</summary>
    public DateTime? ExpireTime { get; init; }

    /// <summary>UTC, minute precision; null when never used.</summary>
    public DateTime? LastUsedTime { get; set; }

    /// <summary>The MCP client that last used the key, as it named itself (see the MCP host); null when unknown.</summary>
    public string? LastUsedClient { get; set; }

    /// <summary>The network address the key was last used from; null when never used.</summary>
    public string? LastUsedAddress { get; set; }

    public List<McpKeyWorkspace> Workspaces { get; init; } = [];
}

/// <summary>What an MCP key may do in its workspaces. Stored as a number; never renumber.</summary>
public enum KeyAccess
{
    /// <summary>Only the reading tools (lists and gets).</summary>
    ReadOnly = 1,

    /// <summary>Every tool, including those that change data.</summary>
    ReadWrite = 2,
}

/// <summary>One workspace an MCP key was scoped to.</summary>
public sealed class McpKeyWorkspace
{
    public required string KeyId { get; init; }

    public Guid WorkspaceId { get; init; }
}
