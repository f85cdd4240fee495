using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Perspective.WebUi.Components.Mcp;

/// <summary>The ready-to-copy client configurations the help page promises, for a token or its placeholder.</summary>
internal static class SetupSnippets
{
    public const string ServerName = "perspective";

    private static readonly JsonSerializerOptions Pretty = new()
    {
        WriteIndented = true,
        // Keeps "<your-token>" readable instead of \u003C…\u003E; the text is shown, never executed as HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>
    /// <c>claude_desktop_config.json</c> through <c>mcp-remote</c>. The header comes from <c>env</c>, so
    /// no argument contains a space (some launchers split or mis-quote such arguments).
    /// </summary>
    public static string ClaudeDesktop(string endpoint, string token) => new JsonObject
    {
        ["mcpServers"] = new JsonObject
        {
            [ServerName] = new JsonObject
            {
                ["command"] = "npx",
                ["args"] = new JsonArray("-y", "mcp-remote", endpoint, "--header", "Authorization:${AUTH_HEADER}"),
                ["env"] = new JsonObject { ["AUTH_HEADER"] = $"Bearer {token}" },
            },
        },
    }.ToJsonString(Pretty);

    public static string ClaudeCode(string endpoint, string token) =>
        $"claude mcp add --transport http --scope user {ServerName} {endpoint} --header \"Authorization: Bearer {token}\"";

    /// <summary>The entry for <c>~/.cursor/mcp.json</c>.</summary>
    public static string Cursor(string endpoint, string token) => new JsonObject
    {
        ["mcpServers"] = new JsonObject
        {
            [ServerName] = new JsonObject
            {
                ["url"] = endpoint,
                ["headers"] = new JsonObject { ["Authorization"] = $"Bearer {token}" },
            },
        },
    }.ToJsonString(Pretty);
}
