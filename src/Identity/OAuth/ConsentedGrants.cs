using System.Security.Claims;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OpenIddict.Abstractions;
using OpenIddict.EntityFrameworkCore.Models;
using Perspective.Identity.Storage;
using Perspective.Platform.Storage;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Perspective.Identity.OAuth;

/// <summary>
/// Saves what the user allowed on the consent page as the one grant of that app for that user: a
/// consent for an app the user already connected updates that grant (scopes, workspaces, and its
/// connect time, from which the absolute lifetime counts) instead of adding another. The unique
/// index <see cref="IdentityDataContext.OneGrantPerClientIndex"/> keeps two consents at once from
/// both inserting; the loser finds the winner's grant and updates it. Tokens already issued under
/// the grant keep working (the same app on a second machine shares it) and reach the new workspaces.
/// </summary>
public sealed class ConsentedGrants(IdentityDataContext db, IOpenIddictAuthorizationManager authorizations, TimeProvider clock)
{
    /// <summary>Creates or updates the user's grant for the app; returns its authorization id.</summary>
    public async Task<string> SaveAsync(
        string applicationId, string userId, ClaimsPrincipal principal, IReadOnlyCollection<string> scopes, IReadOnlyCollection<Guid> workspaces,
        CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var existing = await db.Set<OpenIddictEntityFrameworkCoreAuthorization>().AsNoTracking()
                .Where(a => a.Application!.Id == applicationId && a.Subject == userId && a.Status == Statuses.Valid && a.Type == AuthorizationTypes.Permanent)
                .Select(a => a.Id)
                .FirstOrDefaultAsync(cancellationToken);
            if (existing is not null && await TryUpdateAsync(existing, scopes, workspaces, cancellationToken))
            {
                return existing;
            }

            try
            {
                return await CreateAsync(applicationId, userId, principal, scopes, workspaces, cancellationToken);
            }
            catch (DbUpdateException) when (attempt == 0)
            {
                // Another consent for this app and user inserted its grant first: update that one.
                db.ChangeTracker.Clear();
            }
        }
    }

    private async Task<bool> TryUpdateAsync(string authorizationId, IReadOnlyCollection<string> scopes, IReadOnlyCollection<Guid> workspaces, CancellationToken cancellationToken)
    {
        // The conditional update comes first: it takes the write lock (SQLite) or the row lock (PostgreSQL),
        // so concurrent consents for this grant replace its workspaces one after the other.
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var now = clock.UtcNowForStorage();
        var scopesJson = JsonSerializer.Serialize(scopes);
        var updated = await db.Set<OpenIddictEntityFrameworkCoreAuthorization>()
            .Where(a => a.Id == authorizationId && a.Status == Statuses.Valid)
            .ExecuteUpdateAsync(a => a
                .SetProperty(x => x.Scopes, scopesJson)
                .SetProperty(x => x.CreationDate, now)
                .SetProperty(x => x.ConcurrencyToken, Guid.NewGuid().ToString()), cancellationToken);
        if (updated == 0)
        {
            // Revoked since it was found: the caller creates a new grant.
            return false;
        }

        await db.GrantWorkspaces.Where(g => g.AuthorizationId == authorizationId).ExecuteDeleteAsync(cancellationToken);
        await AddWorkspacesAsync(authorizationId, workspaces, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    private async Task<string> CreateAsync(
        string applicationId, string userId, ClaimsPrincipal principal, IReadOnlyCollection<string> scopes, IReadOnlyCollection<Guid> workspaces,
        CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var authorization = await authorizations.CreateAsync(principal, userId, applicationId, AuthorizationTypes.Permanent, [.. scopes], cancellationToken);
        var authorizationId = (await authorizations.GetIdAsync(authorization, cancellationToken))!;
        await AddWorkspacesAsync(authorizationId, workspaces, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return authorizationId;
    }

    private async Task AddWorkspacesAsync(string authorizationId, IReadOnlyCollection<Guid> workspaces, CancellationToken cancellationToken)
    {
        var rows = workspaces.Select(id => new GrantWorkspace { AuthorizationId = authorizationId, WorkspaceId = id }).ToList();
        db.GrantWorkspaces.AddRange(rows);
        await db.SaveChangesAsync(cancellationToken);
        foreach (var row in rows)
        {
            db.Entry(row).State = EntityState.Detached;
        }
    }
}
