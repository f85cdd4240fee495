using System.Security.Claims;
using ModelContextProtocol;
using Perspective.Identity.Access;
using Perspective.Identity.OAuth;

namespace Perspective.McpHost.Mcp;

/// <summary>Which kind of credential authenticated an MCP request.</summary>
public enum McpCredentialKind
{
    McpKey,
    LegacyToken,
    OAuth,
}

/// <summary>
/// Who calls the MCP endpoint and what they may reach, made once per request by
/// <see cref="Authentication.McpCredentialHandler"/> from the one database read that found the
/// credential: the user, the credential (kind, id, display name) and its effective workspaces (the
/// credential's scope ∩ the user's memberships now). Immutable; tools take it from the request's user
/// (<see cref="McpCallers.Caller"/>) and never ask the database about access again.
/// </summary>
public sealed class McpCaller(
    string userId,
    McpCredentialKind kind,
    string credentialId,
    string credentialName,
    IReadOnlyList<ReachableWorkspace> workspaces,
    IReadOnlyList<string> scopes)
{
    /// <summary>What a read &amp; write key or the legacy token may do, as scopes: every tool.</summary>
    public static readonly IReadOnlyList<string> ReadWrite = [OAuthScopes.McpRead, OAuthScopes.McpWrite];

    /// <summary>What a read-only key may do, as scopes: the reading tools only.</summary>
    public static readonly IReadOnlyList<string> ReadOnly = [OAuthScopes.McpRead];

    /// <summary>One answer for unknown, out-of-scope and left workspaces, so a tool never reveals which it was.</summary>
    public const string NotAvailable =
        "That workspace is not available to this connection. Call workspace_list for the workspaces you can use and pass one of their ids as workspace_id.";

    public string UserId { get; } = userId;

    public McpCredentialKind Kind { get; } = kind;

    /// <summary>The key's id, the grant's (authorization's) id, or the user's id for the legacy token.</summary>
    public string CredentialId { get; } = credentialId;

    /// <summary>What the user calls the credential: the key's name, the app's name, or "Legacy token".</summary>
    public string CredentialName { get; } = credentialName;

    /// <summary>The effective workspaces, ordered by name then slug.</summary>
    public IReadOnlyList<ReachableWorkspace> Workspaces { get; } = workspaces;

    /// <summary>What the credential may do, as OAuth scopes: an app's granted scopes; <see cref="ReadWrite"/> or <see cref="ReadOnly"/> for keys.</summary>
    public IReadOnlyList<string> Scopes { get; } = scopes;

    /// <summary>True when the credential may call the MCP endpoint's (reading) tools at all.</summary>
    public bool MayUseTools { get; } = OAuthScopes.MayReadMcp(scopes);

    /// <summary>True when the credential may also call the tools that change data (<see cref="Tools.ToolAccess"/>).</summary>
    public bool MayWrite { get; } = OAuthScopes.MayWriteMcp(scopes);

    /// <summary>The workspace named by a tool argument, when it is one of <see cref="Workspaces"/>; otherwise the tool fails with <see cref="NotAvailable"/>.</summary>
    public ReachableWorkspace Require(string workspaceId) =>
        Guid.TryParse(workspaceId, out var id) && Workspaces.FirstOrDefault(w => w.Id == id) is { } workspace
            ? workspace
            : throw new McpException(NotAvailable);

    /// <summary>The kind as metrics and logs name it: <c>mcp_key</c>, <c>legacy_token</c> or <c>oauth</c>.</summary>
    public static string Name(McpCredentialKind kind) => kind switch
    {
        McpCredentialKind.McpKey => "mcp_key",
        McpCredentialKind.LegacyToken => "legacy_token",
        _ => "oauth",
    };
}

/// <summary>The identity an authenticated MCP request carries: the user's id as a claim, and the <see cref="McpCaller"/>.</summary>
public sealed class McpCallerIdentity(McpCaller caller, string authenticationType)
    : ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, caller.UserId)], authenticationType)
{
    public McpCaller Caller { get; } = caller;
}

public static class McpCallers
{
    /// <summary>The caller of an authenticated MCP request (tools run only after authentication succeeded).</summary>
    public static McpCaller Caller(this ClaimsPrincipal user) =>
        user.Identities.OfType<McpCallerIdentity>().FirstOrDefault()?.Caller
        ?? throw new InvalidOperationException("This request was not authenticated by the MCP endpoint.");

    /// <summary>The caller, or null for a request the MCP endpoint did not authenticate.</summary>
    public static McpCaller? FindCaller(this ClaimsPrincipal user) => user.Identities.OfType<McpCallerIdentity>().FirstOrDefault()?.Caller;
}
