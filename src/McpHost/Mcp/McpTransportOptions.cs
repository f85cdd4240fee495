namespace Perspective.McpHost.Mcp;

/// <summary>What the MCP endpoint accepts at the transport level (section <c>Mcp</c>).</summary>
public sealed class McpTransportOptions
{
    public const string Section = "Mcp";

    /// <summary>
    /// Browser origins besides the public origin that may call <c>/mcp</c> (e.g. a web-based MCP client's
    /// origin). Requests without an <c>Origin</c> header (desktop and server-side clients) are always allowed.
    /// </summary>
    public string[] AllowedOrigins { get; set; } = [];

    /// <summary>The largest request body, in bytes: a JSON-RPC message or batch. Larger bodies get 413.</summary>
    public int MaxRequestBodySize { get; set; } = 1024 * 1024;
}
