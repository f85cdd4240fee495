namespace Perspective.Keys.Management;

/// <summary>Limits on MCP keys (configuration section <c>Keys</c>).</summary>
public sealed class McpKeyOptions
{
    /// <summary>How many keys one user may hold; generous, it only stops runaway scripts.</summary>
    public int MaxKeysPerUser { get; set; } = 100;
}
