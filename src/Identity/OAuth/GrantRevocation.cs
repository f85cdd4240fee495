namespace Perspective.Identity.OAuth;

/// <summary>
/// Why and when an OAuth grant (an OpenIddict authorization, a connected app) stopped working: one
/// row per revoked authorization, written in the same transaction that revoked it, so a "recently
/// disconnected" list reads it without parsing OpenIddict's data. The row goes when its authorization
/// is deleted (cascade).
/// </summary>
public sealed class GrantRevocation
{
    public const int ReasonMaxLength = 32;

    public required string AuthorizationId { get; init; }

    /// <summary>The user the grant belonged to (the authorization's subject).</summary>
    public required string UserId { get; init; }

    /// <summary>One of <see cref="GrantRevocationReasons"/>.</summary>
    public required string Reason { get; init; }

    /// <summary>When the grant stopped working (UTC): the revocation, or for a lapse the moment it lapsed.</summary>
    public DateTime RevokeTime { get; init; }
}

/// <summary>The reasons a grant is revoked, as stored in <see cref="GrantRevocation.Reason"/>.</summary>
public static class GrantRevocationReasons
{
    /// <summary>The user disconnected the app (Connected Apps).</summary>
    public const string User = "user";

    /// <summary>An operator disconnected the app (admin service).</summary>
    public const string Admin = "admin";

    /// <summary>A refresh token was presented after it had been used (a copy of it is in other hands).</summary>
    public const string RefreshTokenReuse = "refresh_token_reuse";

    /// <summary>The app did not refresh within the sliding window, or the absolute limit was reached.</summary>
    public const string Lapsed = "lapsed";
}
