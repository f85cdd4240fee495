using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpenIddict.EntityFrameworkCore.Models;
using Perspective.Identity.OAuth;
using Perspective.Identity.Storage;
using Perspective.Identity.Workspaces;
using Perspective.Platform.Grpc;
using Perspective.Platform.Storage;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Perspective.Identity.ConnectedApps;

/// <summary>A connected app as its user sees it.</summary>
public sealed record ConnectedAppView(
    string Id,
    string Name,
    string ClientId,
    bool IsMetadataDocumentClient,
    string RedirectHost,
    IReadOnlyList<ConnectedAppWorkspace> Workspaces,
    IReadOnlyList<string> Scopes,
    DateTime ConnectTime,
    DateTime? LastUsedTime,
    DateTime LapseTime)
{
    /// <summary>The https origin of the app's client ID metadata document; empty for a self-registered app.</summary>
    public string VerifiedOrigin => ConnectedAppDirectory.VerifiedOrigin(ClientId);
}

/// <summary>An app that stopped working: when and why (<see cref="GrantRevocationReasons"/>).</summary>
public sealed record DisconnectedAppView(
    string Id,
    string Name,
    string ClientId,
    bool IsMetadataDocumentClient,
    string RedirectHost,
    DateTime ConnectTime,
    DateTime DisconnectTime,
    string Reason)
{
    /// <summary>The https origin of the app's client ID metadata document; empty for a self-registered app.</summary>
    public string VerifiedOrigin => ConnectedAppDirectory.VerifiedOrigin(ClientId);
}

/// <summary>A workspace granted to a connected app; not reachable once the user has left it.</summary>
public sealed record ConnectedAppWorkspace(Guid Id, string Slug, string Name, bool Reachable);

/// <summary>The user's OAuth grants (OpenIddict permanent authorizations), listed and revoked.</summary>
public sealed class ConnectedAppDirectory(
    IdentityDataContext db,
    WorkspaceDirectory workspaces,
    GrantRevocations revocations,
    IOptions<GrantLifetimes> lifetimes,
    TimeProvider clock)
{
    /// <summary>The user's live grants, newest first; grants that lapsed unused are first revoked as such.</summary>
    public async Task<IReadOnlyList<ConnectedAppView>> ListAsync(string userId, NewestFirstCursor? after, int limit, CancellationToken cancellationToken)
    {
        await RevokeLapsedAsync(userId, cancellationToken);
        var query = Grants(userId);
        if (after is not null)
        {
            query = query.Where(a => a.CreationDate < after.Time ||
                                     (a.CreationDate == after.Time && string.Compare(a.Id, after.Id) < 0));
        }

        var page = await query
            .OrderByDescending(a => a.CreationDate).ThenByDescending(a => a.Id)
            .Take(limit)
            .Select(a => new
            {
                a.Id,
                a.CreationDate,
                a.Scopes,
                a.Application!.ClientId,
                a.Application.DisplayName,
                a.Application.RedirectUris,
            })
            .ToListAsync(cancellationToken);

        var ids = page.Select(a => a.Id).ToList();
        var lastTokens = await db.Set<OpenIddictEntityFrameworkCoreToken>().AsNoTracking()
            .Where(t => t.Authorization != null && ids.Contains(t.Authorization.Id))
            .GroupBy(t => t.Authorization!.Id)
            .Select(g => new { AuthorizationId = g.Key, Last = g.Max(t => t.CreationDate) })
            .ToDictionaryAsync(g => g.AuthorizationId!, g => g.Last, cancellationToken);
        var granted = await db.GrantWorkspaces.AsNoTracking()
            .Where(g => ids.Contains(g.AuthorizationId))
            .Join(db.Workspaces, g => g.WorkspaceId, w => w.Id, (g, w) => new { g.AuthorizationId, w.Id, w.Slug, w.Name })
            .ToListAsync(cancellationToken);
        var memberOf = await workspaces.MemberWorkspaceIdsAsync(userId, cancellationToken);

        return page.Select(a => new ConnectedAppView(
                a.Id!,
                string.IsNullOrEmpty(a.DisplayName) ? "An unnamed app" : a.DisplayName,
                a.ClientId!,
                ClientMetadataDocuments.IsMetadataDocumentClientId(a.ClientId!),
                RedirectHost(a.RedirectUris),
                granted.Where(g => g.AuthorizationId == a.Id)
                    .Select(g => new ConnectedAppWorkspace(g.Id, g.Slug, g.Name, memberOf.Contains(g.Id)))
                    .OrderBy(w => w.Name, StringComparer.CurrentCultureIgnoreCase)
                    .ToList(),
                JsonStrings(a.Scopes),
                a.CreationDate ?? DateTime.MinValue,
                lastTokens.GetValueOrDefault(a.Id!),
                lifetimes.Value.LapseTime(a.CreationDate ?? DateTime.MinValue, lastTokens.GetValueOrDefault(a.Id!))))
            .ToList();
    }

    /// <summary>How long a disconnected app stays listed as recently disconnected.</summary>
    public static readonly TimeSpan RecentlyDisconnected = TimeSpan.FromDays(30);

    /// <summary>
    /// The user's grants that stopped working in the last <see cref="RecentlyDisconnected"/>, most recently
    /// disconnected first; grants that lapsed unused are first revoked as such, so they are listed too.
    /// </summary>
    public async Task<IReadOnlyList<DisconnectedAppView>> ListDisconnectedAsync(string userId, NewestFirstCursor? after, int limit, CancellationToken cancellationToken)
    {
        await RevokeLapsedAsync(userId, cancellationToken);
        var since = clock.UtcNowForStorage() - RecentlyDisconnected;
        var query = db.GrantRevocations.AsNoTracking().Where(r => r.UserId == userId && r.RevokeTime >= since);
        if (after is not null)
        {
            query = query.Where(r => r.RevokeTime < after.Time ||
                                     (r.RevokeTime == after.Time && string.Compare(r.AuthorizationId, after.Id) < 0));
        }

        var page = await query
            .Join(db.Set<OpenIddictEntityFrameworkCoreAuthorization>(), r => r.AuthorizationId, a => a.Id, (r, a) => new { r, a })
            .Where(x => x.a.Subject == userId)
            .OrderByDescending(x => x.r.RevokeTime).ThenByDescending(x => x.r.AuthorizationId)
            .Take(limit)
            .Select(x => new
            {
                x.r.AuthorizationId,
                x.r.RevokeTime,
                x.r.Reason,
                x.a.CreationDate,
                x.a.Application!.ClientId,
                x.a.Application.DisplayName,
                x.a.Application.RedirectUris,
            })
            .ToListAsync(cancellationToken);

        return page.Select(x => new DisconnectedAppView(
                x.AuthorizationId,
                string.IsNullOrEmpty(x.DisplayName) ? "An unnamed app" : x.DisplayName,
                x.ClientId ?? "",
                ClientMetadataDocuments.IsMetadataDocumentClientId(x.ClientId ?? ""),
                RedirectHost(x.RedirectUris),
                x.CreationDate ?? DateTime.MinValue,
                DateTime.SpecifyKind(x.RevokeTime, DateTimeKind.Utc),
                x.Reason))
            .ToList();
    }

    /// <summary>The https origin (scheme, host, port) of a metadata document client ID; empty for any other client ID.</summary>
    public static string VerifiedOrigin(string clientId) =>
        ClientMetadataDocuments.IsMetadataDocumentClientId(clientId) ? new Uri(clientId).GetLeftPart(UriPartial.Authority) : "";

    /// <summary>
    /// Revokes the grant and every token issued under it, recording <paramref name="reason"/>
    /// (<see cref="GrantRevocationReasons"/>); false when the user has no such app.
    /// </summary>
    public async Task<bool> DisconnectAsync(string userId, string connectedAppId, string reason, CancellationToken cancellationToken) =>
        await Grants(userId).AnyAsync(a => a.Id == connectedAppId, cancellationToken) &&
        await revocations.RevokeAsync(connectedAppId, reason, time: null, cancellationToken);

    /// <summary>Connected app ids are the ids of OAuth authorizations: GUIDs. Anything else cannot name one.</summary>
    public static bool IsConnectedAppId(string value) => value.Length <= 64 && Guid.TryParse(value, out _);

    /// <summary>True when the user has a connected (not disconnected) app with that id.</summary>
    public Task<bool> IsConnectedAsync(string userId, string connectedAppId, CancellationToken cancellationToken) =>
        Grants(userId).AnyAsync(a => a.Id == connectedAppId, cancellationToken);

    /// <summary>
    /// Grants whose newest refresh token has expired unused (past their lapse time) work no more:
    /// they are revoked as lapsed, at the time they lapsed, so they leave the list with that reason.
    /// </summary>
    private async Task RevokeLapsedAsync(string userId, CancellationToken cancellationToken)
    {
        var now = clock.UtcNowForStorage();
        var absoluteCutoff = now - lifetimes.Value.RefreshTokenAbsoluteLifetime;
        var slidingCutoff = now - lifetimes.Value.RefreshTokenSlidingLifetime;
        var lapsed = await Grants(userId)
            .Select(a => new
            {
                a.Id,
                a.CreationDate,
                LastIssued = db.Set<OpenIddictEntityFrameworkCoreToken>().Where(t => t.Authorization!.Id == a.Id).Max(t => t.CreationDate),
            })
            .Where(a => a.CreationDate <= absoluteCutoff || ((a.LastIssued ?? a.CreationDate) <= slidingCutoff))
            .ToListAsync(cancellationToken);
        foreach (var grant in lapsed)
        {
            var lapseTime = lifetimes.Value.LapseTime(grant.CreationDate ?? now, grant.LastIssued);
            await revocations.RevokeAsync(grant.Id!, GrantRevocationReasons.Lapsed, lapseTime < now ? lapseTime : now, cancellationToken);
        }
    }

    private IQueryable<OpenIddictEntityFrameworkCoreAuthorization> Grants(string userId) =>
        db.Set<OpenIddictEntityFrameworkCoreAuthorization>().AsNoTracking()
            .Where(a => a.Subject == userId && a.Status == Statuses.Valid && a.Type == AuthorizationTypes.Permanent);

    private static IReadOnlyList<string> JsonStrings(string? json) =>
        string.IsNullOrEmpty(json) ? [] : JsonSerializer.Deserialize<List<string>>(json) ?? [];

    private static string RedirectHost(string? redirectUris) =>
        JsonStrings(redirectUris).Select(u => Uri.TryCreate(u, UriKind.Absolute, out var uri) ? (uri.IsLoopback ? uri.Host : uri.Authority) : null)
            .FirstOrDefault(h => !string.IsNullOrEmpty(h)) ?? "";
}
