namespace Perspective.Identity;

/// <summary>Authorization policies shared by every module.</summary>
public static class PlatformPolicies
{
    /// <summary>
    /// A person signed in through the browser, or a client holding an access token for the
    /// management audience with the management scope. Management APIs use it; MCP keys and
    /// MCP-audience tokens never satisfy it, so a leaked MCP credential cannot manage anything.
    /// </summary>
    public const string SignedInUser = "SignedInUser";

    /// <summary>A person signed in through the browser; pages that redirect to the sign-in page use it.</summary>
    public const string BrowserSession = "BrowserSession";
}
