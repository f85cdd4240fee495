using Microsoft.EntityFrameworkCore;
using OpenIddict.EntityFrameworkCore.Models;
using Perspective.Identity.Storage;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Perspective.Identity.OAuth;

/// <summary>
/// Whether an access token for the management APIs, already validated cryptographically, is still
/// valid in the database: its token entry, and for a user's token also its authorization (the app's
/// grant). One indexed read each, compiled once.
/// </summary>
internal static class ManagementTokenLookup
{
    private static readonly Func<IdentityDataContext, string, string, Task<bool>> UserToken =
        EF.CompileAsyncQuery((IdentityDataContext db, string tokenId, string authorizationId) =>
            db.Set<OpenIddictEntityFrameworkCoreToken>().AsNoTracking()
                .Any(token => token.Id == tokenId && token.Status == Statuses.Valid && token.Type == TokenTypeIdentifiers.AccessToken &&
                              token.Authorization!.Id == authorizationId && token.Authorization.Status == Statuses.Valid));

    // Client-credentials tokens (admin tooling) have no authorization and no user.
    private static readonly Func<IdentityDataContext, string, Task<bool>> ClientToken =
        EF.CompileAsyncQuery((IdentityDataContext db, string tokenId) =>
            db.Set<OpenIddictEntityFrameworkCoreToken>().AsNoTracking()
                .Any(token => token.Id == tokenId && token.Status == Statuses.Valid && token.Type == TokenTypeIdentifiers.AccessToken && token.Authorization == null));

    public static Task<bool> IsUserTokenValidAsync(IdentityDataContext db, string tokenId, string authorizationId) => UserToken(db, tokenId, authorizationId);

    public static Task<bool> IsClientTokenValidAsync(IdentityDataContext db, string tokenId) => ClientToken(db, tokenId);
}
