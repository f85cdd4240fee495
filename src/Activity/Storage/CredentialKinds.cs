namespace Perspective.Activity.Storage;

/// <summary>The kinds of credential whose activity is kept, as they are stored (and named in metrics and logs).</summary>
public static class CredentialKinds
{
    public const string McpKey = "mcp_key";

    public const string LegacyToken = "legacy_token";

    public const string OAuth = "oauth";

    public const int MaxLength = 16;
}
