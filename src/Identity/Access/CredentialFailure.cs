using Microsoft.AspNetCore.Authentication;

namespace Perspective.Identity.Access;

/// <summary>
/// Why an MCP credential was refused, as a short fixed reason carried in the failed
/// <see cref="AuthenticateResult"/>: the MCP endpoint logs it and counts it by reason. The message
/// beside it is for people; neither ever contains the credential.
/// </summary>
public static class CredentialFailure
{
    private const string ReasonProperty = "perspective:failure_reason";

    /// <summary>The Authorization header is not <c>Bearer &lt;token&gt;</c>.</summary>
    public const string MalformedHeader = "malformed_header";

    /// <summary>A <c>pmk_</c> token whose length, alphabet or checksum is wrong (a typo or garbage).</summary>
    public const string MalformedKey = "malformed_key";

    /// <summary>A well-formed MCP key that does not exist (deleted, or never issued).</summary>
    public const string UnknownKey = "unknown_key";

    /// <summary>An MCP key whose expiry time has passed (it stays listed, marked expired, until deleted).</summary>
    public const string ExpiredKey = "expired_key";

    /// <summary>A legacy-looking token that matches none (revoked, or never issued).</summary>
    public const string UnknownLegacyToken = "unknown_legacy_token";

    /// <summary>Neither an MCP key, a legacy token nor an access token.</summary>
    public const string NotACredential = "not_a_credential";

    /// <summary>An access token that does not validate (signature, lifetime, format).</summary>
    public const string InvalidAccessToken = "invalid_access_token";

    /// <summary>An access token issued for another resource.</summary>
    public const string WrongAudience = "wrong_audience";

    /// <summary>An access token whose token entry or grant was revoked (a disconnected app).</summary>
    public const string RevokedAccessToken = "revoked_access_token";

    /// <summary>An access token without the scope the endpoint needs.</summary>
    public const string InsufficientScope = "insufficient_scope";

    /// <summary>The client address failed too often and is refused for a while (429).</summary>
    public const string Throttled = "throttled";

    public static AuthenticateResult Fail(string reason, string message) =>
        AuthenticateResult.Fail(message, new AuthenticationProperties(new Dictionary<string, string?> { [ReasonProperty] = reason }));

    /// <summary>The reason of a failed result, or <paramref name="fallback"/> when it carries none.</summary>
    public static string ReasonOf(AuthenticateResult? result, string fallback) =>
        result?.Properties?.Items.TryGetValue(ReasonProperty, out var reason) == true && reason is not null ? reason : fallback;
}
