using Perspective.Connectedapps.V1;

namespace Perspective.WebUi.Components.ConnectedApps;

/// <summary>How a connected app's identity, scopes and disconnection read in plain words.</summary>
internal static class AppWords
{
    /// <summary>"Verified: https://…" for an app identified by a metadata document on an https origin; otherwise self-registered.</summary>
    public static string Identity(string verifiedOrigin) =>
        string.IsNullOrEmpty(verifiedOrigin) ? "Self-registered (unverified)" : $"Verified: {verifiedOrigin}";

    /// <summary>
    /// What the app may do with the MCP tools: "Read & write" with <c>mcp:write</c> or the legacy <c>mcp</c>,
    /// "Read only" with <c>mcp:read</c> alone, "No MCP access" without any of them.
    /// </summary>
    public static string Access(IEnumerable<string> scopes)
    {
        var granted = scopes.ToList();
        return granted.Any(s => s is "mcp" or "mcp:write") ? "Read & write" : granted.Contains("mcp:read") ? "Read only" : "No MCP access";
    }

    /// <summary>The granted scopes other than the MCP ones (which <see cref="Access"/> words), each in plain words.</summary>
    public static IEnumerable<string> OtherScopes(IEnumerable<string> scopes) =>
        scopes.Where(s => s is not ("mcp" or "mcp:read" or "mcp:write")).Select(Scope);

    /// <summary>What a granted scope lets the app do; an unknown scope reads as itself.</summary>
    public static string Scope(string scope) => scope switch
    {
        "offline_access" => "Stay connected",
        _ => scope,
    };

    /// <summary>Why an app was disconnected.</summary>
    public static string Reason(DisconnectReason reason) => reason switch
    {
        DisconnectReason.User => "You disconnected it",
        DisconnectReason.Admin => "An administrator disconnected it",
        DisconnectReason.RefreshTokenReuse => "Disconnected because its refresh token was used twice (possible token theft)",
        DisconnectReason.Lapsed => "Lapsed after a long time unused",
        _ => "Disconnected",
    };
}
