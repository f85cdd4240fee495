namespace Perspective.Identity;

/// <summary>Authorization policies shared by every module.</summary>
public static class PlatformPolicies
{
    /// <summary>
    /// A person signed in through the browser. Management APIs use it; MCP credentials are a
    /// different scheme and never satisfy it, so a leaked key cannot manage anything.
    /// </summary>
    public const string SignedInUser = "SignedInUser";
}
