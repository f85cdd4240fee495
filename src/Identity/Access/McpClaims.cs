using System.Security.Claims;

namespace Perspective.Identity.Access;

/// <summary>
/// The claims every MCP credential (MCP key, legacy token, OAuth grant) is turned into, so the
/// MCP endpoint decides access the same way whatever authenticated the request.
/// </summary>
public static class McpClaims
{
    /// <summary>Which kind of credential authenticated the request: see <see cref="CredentialKinds"/>.</summary>
    public const string Credential = "perspective:credential";

    /// <summary>The id of that credential (key id, or the user id for a legacy token).</summary>
    public const string CredentialId = "perspective:credential_id";

    /// <summary>One claim per workspace id the credential was scoped to.</summary>
    public const string Workspace = "perspective:workspace";

    /// <summary>Present ("true") when the credential reaches all of the user's workspaces.</summary>
    public const string AllWorkspaces = "perspective:all_workspaces";

    public static class CredentialKinds
    {
        public const string McpKey = "mcp_key";
        public const string LegacyToken = "legacy_token";
        public const string OAuth = "oauth";
    }

    public static ClaimsPrincipal CreatePrincipal(
        string authenticationType, string userId, string credentialKind, string credentialId, IEnumerable<Guid>? workspaces)
    {
        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, userId),
            new(Credential, credentialKind),
            new(CredentialId, credentialId),
        };
        claims.AddRange(workspaces is null
            ? [new Claim(AllWorkspaces, "true")]
            : workspaces.Select(id => new Claim(Workspace, id.ToString())));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, authenticationType));
    }
}
