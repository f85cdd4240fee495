namespace Perspective.Identity.OAuth;

/// <summary>
/// Which redirect URIs a client may register: https anywhere, plain http only to loopback (native
/// apps listening on a local port), and custom schemes only for known desktop clients.
/// </summary>
public sealed class RedirectUriRules(IReadOnlyCollection<string> allowedCustomSchemes)
{
    public const int MaxLength = 2000;

    /// <summary>Returns null when <paramref name="value"/> is acceptable, otherwise why not.</summary>
    public string? Problem(string? value)
    {
        if (value is not null && InvalidCharacterAt(value) is var at and >= 0)
        {
            // Not echoed: the value's rest may hold line breaks or bidirectional overrides meant for the reader.
            return $"'{Shorten(value[..at])}' is followed by U+{(int)value[at]:X4}: a redirect URI is ASCII without spaces or " +
                   "control characters (percent-encode anything else, use punycode for host names).";
        }

        if (string.IsNullOrWhiteSpace(value) || value.Length > MaxLength || !Uri.TryCreate(value, UriKind.Absolute, out var uri))
        {
            return $"'{Shorten(value)}' is not an absolute URI.";
        }

        if (!string.IsNullOrEmpty(uri.Fragment) || !string.IsNullOrEmpty(uri.UserInfo))
        {
            return $"'{Shorten(value)}' must not contain a fragment or user information.";
        }

        return uri.Scheme switch
        {
            "https" => null,
            "http" when uri.IsLoopback => null,
            "http" => $"'{Shorten(value)}' uses http: only loopback addresses (localhost, 127.0.0.1, [::1]) may, anything else must use https.",
            _ when allowedCustomSchemes.Contains(uri.Scheme, StringComparer.OrdinalIgnoreCase) => null,
            _ => $"'{Shorten(value)}' uses the scheme '{uri.Scheme}', which is not allowed. Use https, loopback http, or one of: {string.Join(", ", allowedCustomSchemes)}.",
        };
    }

    /// <summary>
    /// Where <paramref name="value"/> has its first character outside visible ASCII, or -1. URIs are ASCII
    /// (RFC 3986); <see cref="Uri"/> quietly trims or escapes the rest, so what was registered would not be
    /// what the user is shown, and a line break would end up in a Location header.
    /// </summary>
    public static int InvalidCharacterAt(string value) => value.AsSpan().IndexOfAnyExceptInRange('!', '~');

    /// <summary>Loopback and custom-scheme redirects belong to apps on the user's machine: registered as native, so any loopback port matches.</summary>
    public static bool IsNative(IEnumerable<Uri> redirectUris) =>
        redirectUris.All(uri => uri.IsLoopback || (uri.Scheme != "https" && uri.Scheme != "http"));

    private static string Shorten(string? value) => value is null ? "" : value.Length > 80 ? value[..80] + "…" : value;
}
