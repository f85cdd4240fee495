using System.Net;
using System.Net.Sockets;

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

        if (value?.Contains('\\') == true)
        {
            return $"'{Shorten(value)}' contains a backslash, which is not a URI character (RFC 3986): browsers read it as '/', other parsers do not.";
        }

        // Uri also reads a path as a file URI ("/x" as file:///x): an absolute URI starts with its scheme.
        if (string.IsNullOrWhiteSpace(value) || value.Length > MaxLength || !Uri.TryCreate(value, UriKind.Absolute, out var uri) ||
            !value.StartsWith(uri.Scheme + ":", StringComparison.OrdinalIgnoreCase))
        {
            return $"'{Shorten(value)}' is not an absolute URI.";
        }

        // Uri drops an empty user information ("https://@host/"): the authority as written tells.
        if (!string.IsNullOrEmpty(uri.Fragment) || !string.IsNullOrEmpty(uri.UserInfo) || WrittenAuthority(value, uri).Contains('@'))
        {
            return $"'{Shorten(value)}' must not contain a fragment or user information.";
        }

        return uri.Scheme switch
        {
            "https" => null,
            "http" when IsLoopbackHttp(value, uri) => null,
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

    /// <summary>
    /// True when <paramref name="uri"/>, parsed from <paramref name="value"/>, is http to localhost or a loopback IP literal
    /// as written. <see cref="Uri.IsLoopback"/> alone is not enough: <see cref="Uri"/> reads the host name "loopback" as
    /// localhost (so does <see cref="Uri.Host"/>), and "[::1]x" or "[::127.0.0.1]" as loopback, although a resolver or a
    /// browser may take them anywhere else.
    /// </summary>
    public static bool IsLoopbackHttp(string value, Uri uri)
    {
        if (uri.Scheme != Uri.UriSchemeHttp || !uri.IsLoopback || value.Contains('\\'))
        {
            return false;
        }

        var authority = WrittenAuthority(value, uri);
        var host = authority.StartsWith('[') ? authority[..(authority.IndexOf(']') + 1)] : authority[..(authority.IndexOf(':') is var colon and >= 0 ? colon : authority.Length)];
        if (authority.Length > host.Length && authority[host.Length] != ':')
        {
            return false;
        }

        return host.Equals("localhost", StringComparison.OrdinalIgnoreCase) ||
               (host is ['[', .. var inner, ']'] && !inner.Contains('%') && IPAddress.TryParse(inner, out var v6) && IPAddress.IsLoopback(v6)) ||
               (IPAddress.TryParse(host, out var v4) && v4.AddressFamily == AddressFamily.InterNetwork && IPAddress.IsLoopback(v4));
    }

    // What follows "scheme://" up to the path, query or fragment, as written ("" when there is none).
    private static ReadOnlySpan<char> WrittenAuthority(string value, Uri uri)
    {
        var prefix = uri.Scheme + "://";
        if (!value.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
        {
            return [];
        }

        var rest = value.AsSpan(prefix.Length);
        var end = rest.IndexOfAny('/', '?', '#');
        return end < 0 ? rest : rest[..end];
    }

    /// <summary>Loopback and custom-scheme redirects belong to apps on the user's machine: registered as native, so any loopback port matches.</summary>
    public static bool IsNative(IEnumerable<Uri> redirectUris) =>
        redirectUris.All(uri => uri.IsLoopback || (uri.Scheme != "https" && uri.Scheme != "http"));

    private static string Shorten(string? value) => value is null ? "" : value.Length > 80 ? value[..80] + "…" : value;
}
