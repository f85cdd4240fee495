using Microsoft.AspNetCore.Components;

namespace Perspective.WebUi.Session;

/// <summary>The workspace an address is under (<c>/w/{slug}/…</c>), for the sidebar and the settings pages.</summary>
internal static class WorkspaceRoute
{
    public static string? Slug(NavigationManager navigation)
    {
        var segments = new Uri(navigation.Uri).AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        return segments.Length >= 2 && segments[0] == "w" ? Uri.UnescapeDataString(segments[1]) : null;
    }

    public static string Mcp(string slug) => $"w/{Uri.EscapeDataString(slug)}/settings/mcp";

    public static string ConnectedApps(string slug) => $"w/{Uri.EscapeDataString(slug)}/settings/connected-apps";

    public static string Settings(string slug) => $"w/{Uri.EscapeDataString(slug)}/settings";
}
