using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OpenIddict.EntityFrameworkCore.Models;
using Perspective.Identity.Access;
using Perspective.Identity.Storage;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Perspective.McpHost.Mcp.Authentication;

/// <summary>A user's OAuth grant behind a valid access token: the app's name, the effective workspaces and the scopes the grant holds now.</summary>
public sealed record GrantCredential(string AppName, List<ReachableWorkspace> Reachable, IReadOnlyList<string> Scopes);

/// <summary>
/// The per-request database check of an access token whose signature, lifetime and audience were
/// already validated: its token entry and its authorization (the app's grant) are both still
/// valid, so a revoked token or a disconnected app is refused at once. In the same single query it
/// reads the app's name, the grant's scopes (a later consent may have narrowed them) and the effective workspaces: the workspaces consented in the grant
/// intersected with the user's memberships now (the rule of <see cref="ReachableWorkspace"/>).
/// Compiled once, like the key lookup.
/// </summary>
public static class GrantLookup
{
    // One row per effective workspace (or one row without a workspace when none is left): the token
    // joined with its grant and app, the workspaces consented in that grant, and the user's memberships of them.
    // (No collection parameter: EF Core would generate the SQL again on every call.)
    private static readonly Func<IdentityDataContext, string, string, string, IAsyncEnumerable<GrantRow>> UserGrant =
        EF.CompileAsyncQuery((IdentityDataContext db, string tokenId, string authorizationId, string userId) =>
            from token in db.Set<OpenIddictEntityFrameworkCoreToken>().AsNoTracking()
            where token.Id == tokenId && token.Status == Statuses.Valid && token.Type == TokenTypeIdentifiers.AccessToken &&
                  token.Subject == userId && token.Authorization!.Id == authorizationId && token.Authorization.Status == Statuses.Valid
            // Joined on the token's own columns (not the parameters) so the database plans plain joins.
            from consented in db.GrantWorkspaces.Where(g => g.AuthorizationId == token.Authorization!.Id).DefaultIfEmpty()
            from membership in db.Memberships.Where(m => m.WorkspaceId == consented!.WorkspaceId && m.UserId == token.Subject).DefaultIfEmpty()
            orderby membership!.Workspace!.Name, membership.Workspace!.Slug
            select new GrantRow(
                token.Application!.DisplayName,
                token.Authorization!.Scopes,
                membership == null
                    ? null
                    : new ReachableWorkspace(membership.WorkspaceId, membership.Workspace!.Slug, membership.Workspace.Name, membership.Role)));

    /// <summary>The grant when the user's token and grant are valid; null when either is not.</summary>
    public static async Task<GrantCredential?> FindUserGrantAsync(
        IdentityDataContext db, string tokenId, string authorizationId, string userId, CancellationToken cancellationToken) =>
        await ReachableWorkspaces.CollectAsync(UserGrant(db, tokenId, authorizationId, userId), row => row.Workspace, cancellationToken) is (var grant, var reachable)
            ? new GrantCredential(grant.AppName ?? "OAuth app", reachable, Scopes(grant.Scopes))
            : null;

    // A grant's scopes are stored as a JSON array, and only a handful of different arrays exist (the server grants
    // only its registered scopes): each is parsed once, not on every request.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string[]> ParsedScopes = new(StringComparer.Ordinal);

    private static string[] Scopes(string? json) =>
        json is null ? [] : ParsedScopes.GetOrAdd(json, static text => JsonSerializer.Deserialize<string[]>(text) ?? []);

    private sealed record GrantRow(string? AppName, string? Scopes, ReachableWorkspace? Workspace);
}
