namespace Perspective.WebUi.Pages;

/// <summary>The help pages the host serves as static files (wwwroot/help), for links from the settings pages.</summary>
/// <remarks>
/// No fragment (<c>#connected-apps</c>): the router takes a link to a page it does not know as a full page load, and
/// one that differs from the current address by a fragment set it navigating back and forth without end.
/// </remarks>
internal static class HelpPage
{
    public const string McpKeys = "help/mcp-keys.html";

    public const string ConnectedApps = McpKeys;
}
