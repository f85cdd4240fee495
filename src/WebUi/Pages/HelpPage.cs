namespace Perspective.WebUi.Pages;

/// <summary>The help pages the host serves as static files (wwwroot/help), for links from the settings pages.</summary>
internal static class HelpPage
{
    public const string McpKeys = "help/mcp-keys.html";

    public const string ConnectedApps = "help/mcp-keys.html#connected-apps";
}
