using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OpenIddict.Abstractions;
using OpenIddict.EntityFrameworkCore.Models;
using OpenIddict.Server;
using Perspective.Identity.Storage;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Perspective.Identity.OAuth;

/// <summary>
/// A refresh token is redeemed once, and a second presentation revokes its whole grant (OAuth 2.1
/// §4.3.1, reuse detection). OpenIddict marks a refresh token redeemed with an optimistic update
/// whose failure it ignores (so two simultaneous redemptions could both be answered), and on reuse it
/// revokes the tokens but leaves the authorization valid. Here instead:
/// <list type="bullet">
/// <item>the token endpoint redeems the token with one conditional update of its entry from
/// <c>valid</c> to <c>redeemed</c> (<see cref="TryRedeemAsync"/>) before any token is issued: the
/// database lets exactly one caller win, on every host; every loser is reuse;</item>
/// <item>a token presented when it is already redeemed is reuse too (<see cref="ReusedRefreshToken"/>,
/// just before OpenIddict's own token entry check, which then refuses it with invalid_grant);</item>
/// <item>reuse revokes the grant and all its tokens, recording the reason (<see cref="GrantRevocations"/>);</item>
/// <item>a redemption that won while a loser revoked the grant revokes the tokens it just issued
/// (<see cref="RevokedWhileIssuing"/>), so no token of a revoked grant stays valid.</item>
/// </list>
/// </summary>
internal static class RefreshTokenRedemption
{
    public static void Register(OpenIddictServerBuilder server) => server
        .AddEventHandler(ReusedRefreshToken.Descriptor)
        .AddEventHandler(RevokedWhileIssuing.Descriptor);

    /// <summary>Marks the refresh token redeemed if it is still valid; true for the one caller that did.</summary>
    public static async Task<bool> TryRedeemAsync(IdentityDataContext db, string tokenId, DateTime now, CancellationToken cancellationToken) =>
        await db.Set<OpenIddictEntityFrameworkCoreToken>()
            .Where(t => t.Id == tokenId && t.Status == Statuses.Valid && t.Type == TokenTypeIdentifiers.RefreshToken)
            .ExecuteUpdateAsync(t => t
                .SetProperty(x => x.Status, Statuses.Redeemed)
                .SetProperty(x => x.RedemptionDate, (DateTime?)now)
                .SetProperty(x => x.ConcurrencyToken, Guid.NewGuid().ToString()), cancellationToken) == 1;

    private static bool IsRefreshTokenRequest(BaseContext context) =>
        context.EndpointType == OpenIddictServerEndpointType.Token && context.Transaction.Request?.IsRefreshTokenGrantType() == true;

    /// <summary>A refresh token presented again after its redemption: revoke the grant before OpenIddict refuses the token.</summary>
    internal sealed class ReusedRefreshToken(IdentityDataContext db, GrantRevocations revocations) : IOpenIddictServerHandler<ValidateTokenContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
            OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateTokenContext>()
                .UseScopedHandler<ReusedRefreshToken>()
                .SetOrder(OpenIddictServerHandlers.Protection.ValidateTokenEntry.Descriptor.Order - 500)
                .SetType(OpenIddictServerHandlerType.Custom)
                .Build();

        public async ValueTask HandleAsync(ValidateTokenContext context)
        {
            if (!IsRefreshTokenRequest(context) || string.IsNullOrEmpty(context.TokenId))
            {
                return;
            }

            var entry = await db.Set<OpenIddictEntityFrameworkCoreToken>().AsNoTracking()
                .Where(t => t.Id == context.TokenId && t.Type == TokenTypeIdentifiers.RefreshToken)
                .Select(t => new { t.Status, AuthorizationId = t.Authorization!.Id })
                .FirstOrDefaultAsync(context.CancellationToken);
            if (entry is { Status: Statuses.Redeemed, AuthorizationId: { } authorizationId })
            {
                await revocations.RevokeAsync(authorizationId, GrantRevocationReasons.RefreshTokenReuse, time: null, context.CancellationToken);
            }
        }
    }

    /// <summary>After the tokens of a refresh are issued: if the grant was revoked meanwhile (a concurrent reuse), they die with it.</summary>
    internal sealed class RevokedWhileIssuing(IdentityDataContext db) : IOpenIddictServerHandler<ProcessSignInContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
            OpenIddictServerHandlerDescriptor.CreateBuilder<ProcessSignInContext>()
                .UseScopedHandler<RevokedWhileIssuing>()
                .SetOrder(OpenIddictServerHandlers.AttachSignInParameters.Descriptor.Order - 500)
                .SetType(OpenIddictServerHandlerType.Custom)
                .Build();

        public async ValueTask HandleAsync(ProcessSignInContext context)
        {
            if (!IsRefreshTokenRequest(context) || context.Principal?.GetAuthorizationId() is not { } authorizationId)
            {
                return;
            }

            var valid = await db.Set<OpenIddictEntityFrameworkCoreAuthorization>().AsNoTracking()
                .AnyAsync(a => a.Id == authorizationId && a.Status == Statuses.Valid, context.CancellationToken);
            if (!valid)
            {
                await GrantRevocations.RevokeTokensAsync(db, authorizationId, context.CancellationToken);
            }
        }
    }
}
