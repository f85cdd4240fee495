using Perspective.Connectedapps.V1;

namespace Perspective.WebUi.Components.ConnectedApps;

/// <summary>How a connected app's identity, scopes and disconnection read in plain words.</summary>
internal static class AppWords
{
    /// <summary>"Verified: https://…" for an app identified by a metadata document on an https origin; otherwise self-registered.</summary>
    public static string Identity(string verifiedOrigin) =>
        string.IsNullOrEmpty(verifiedOrigin) ? "Self-registered (unverified)" : $"Verified: {verifiedOrigin}";

    /// <summary>What a granted scope lets the app do; an unknown scope reads as itself.</summary>
    public static string Scope(string scope) => scope switch
    {
        "mcp" => "Use your workspaces through MCP",
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
