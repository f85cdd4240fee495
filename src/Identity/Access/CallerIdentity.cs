using System.Security.Claims;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Perspective.Identity.Access;

/// <summary>The user behind a request, whether it came with the sign-in cookie, an MCP key or an OAuth access token.</summary>
public static class CallerIdentity
{
    public static string? UserId(this ClaimsPrincipal caller) =>
        caller.FindFirstValue(ClaimTypes.NameIdentifier) ?? caller.FindFirstValue(Claims.Subject);
}
