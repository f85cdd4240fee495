namespace Perspective.Keys.Management;

/// <summary>Limits on MCP keys (configuration section <c>Keys</c>).</summary>
public sealed class McpKeyOptions
{
    /// <summary>How many keys one user may hold; generous, it only stops runaway scripts.</summary>
    public int MaxKeysPerUser { get; set; } = 100;

    /// <summary>
    /// The longest a key may live (<c>Keys:MaxLifetime</c>, such as <c>90.00:00:00</c> for 90 days). Unset: keys
    /// may never expire. Set: every new key must expire within it. Existing keys keep their expiry.
    /// </summary>
    public TimeSpan? MaxLifetime { get; set; }
}
