using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Perspective.Identity.Storage;

namespace Perspective.Identity.Accounts;

/// <summary>
/// Checks the sign-in cookie against the account on every request: the security stamp in the cookie
/// must still be the user's. Signing out, changing the password and a lockout change the stamp, so
/// every session of that user ends on its next request, on every host (the stamp is in the shared
/// database). Replaces Identity's <see cref="SecurityStampValidator{TUser}"/>, which checks only
/// every <see cref="SecurityStampValidatorOptions.ValidationInterval"/> and, when it does, rebuilds
/// the principal (user, claims and roles: several queries) and reissues the cookie: per request,
/// that would cost a cookie on every response and four queries instead of one.
/// </summary>
internal sealed class SessionValidator(IdentityDataContext db, IOptions<IdentityOptions> identity) : ISecurityStampValidator
{
    private static readonly object EndedKey = new();

    // Compiled once: one primary-key lookup of one column, no tracking, on every signed-in request.
    private static readonly Func<IdentityDataContext, string, CancellationToken, Task<string?>> CurrentStamp =
        EF.CompileAsyncQuery((IdentityDataContext db, string userId, CancellationToken _) =>
            db.Users.AsNoTracking().Where(u => u.Id == userId).Select(u => u.SecurityStamp).FirstOrDefault());

    /// <summary>Whether this request came with a session that has ended (rather than with none).</summary>
    public static bool Ended(HttpContext context) => context.Items.ContainsKey(EndedKey);

    public async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var claims = identity.Value.ClaimsIdentity;
        var userId = context.Principal?.FindFirstValue(claims.UserIdClaimType);
        var stamp = context.Principal?.FindFirstValue(claims.SecurityStampClaimType);
        if (userId is not null && stamp is not null &&
            string.Equals(stamp, await CurrentStamp(db, userId, context.HttpContext.RequestAborted), StringComparison.Ordinal))
        {
            return;
        }

        // The account is gone or its stamp changed: this request is anonymous and the browser drops the cookie.
        context.RejectPrincipal();
        context.HttpContext.Items[EndedKey] = true;
        await context.HttpContext.SignOutAsync(IdentityConstants.ApplicationScheme);
    }
}
