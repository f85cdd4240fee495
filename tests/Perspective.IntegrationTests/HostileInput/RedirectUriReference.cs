namespace Perspective.IntegrationTests.HostileInput;

/// <summary>
/// The redirect URI rules as the README ("Connect with OAuth") and DESIGN §5 state them, written
/// independently of <c>RedirectUriRules</c> and of <see cref="System.Uri"/> so that the fuzz tests
/// compare the implementation with the documented rules rather than with itself:
/// <list type="bullet">
/// <item>at most 2000 characters, every one visible ASCII (no space, control or non-ASCII character) and no backslash
/// (not a URI character in RFC 3986; browsers read it as "/" in http(s) URIs, other parsers do not);</item>
/// <item>no fragment (no <c>#</c> at all) and no user information (no <c>@</c> in the authority, even an empty one);</item>
/// <item><c>https</c> with a host: anywhere;</item>
/// <item><c>http</c> only to loopback: <c>localhost</c>, an IPv4 address in 127.0.0.0/8 (read as browsers read IPv4
/// hosts, WHATWG URL standard), <c>[::1]</c> or an IPv4-mapped 127.0.0.0/8 address, without a zone;</item>
/// <item>any other scheme only if it is one of the configured desktop-client schemes (case-insensitive).</item>
/// </list>
/// URIs are split as RFC 3986 appendix B splits them.
/// </summary>
public static class RedirectUriReference
{
    public const int MaxLength = 2000;

    /// <summary>The README's default for <c>OAuth:Registration:AllowedCustomSchemes</c>.</summary>
    public static readonly string[] DocumentedCustomSchemes = ["cursor", "vscode", "vscode-insiders", "claude", "windsurf"];

    public static bool Allows(string? uri, IReadOnlyCollection<string> customSchemes) => Refusal(uri, customSchemes) is null;

    /// <summary>Null when the documented rules allow <paramref name="uri"/>, otherwise the rule it breaks.</summary>
    public static string? Refusal(string? uri, IReadOnlyCollection<string> customSchemes)
    {
        if (string.IsNullOrEmpty(uri))
        {
            return "empty";
        }

        if (uri.Length > MaxLength)
        {
            return "longer than 2000 characters";
        }

        if (uri.Any(c => c is < '!' or > '~'))
        {
            return "a character that is not visible ASCII";
        }

        // RFC 3986 has no backslash, and parsers disagree on it: browsers and System.Uri read it as "/" in http(s) URIs, others as data.
        if (uri.Contains('\\'))
        {
            return "a backslash";
        }

        if (uri.Contains('#'))
        {
            return "a fragment";
        }

        var colon = uri.IndexOf(':');
        if (colon <= 0 || !IsScheme(uri[..colon]))
        {
            return "no scheme";
        }

        var scheme = uri[..colon].ToLowerInvariant();
        var authority = Authority(uri[(colon + 1)..]);
        if (authority?.Contains('@') == true)
        {
            return "user information";
        }

        return scheme switch
        {
            "https" => authority is { Length: > 0 } ? null : "https without a host",
            "http" => IsLoopback(authority) ? null : "http to a host that is not loopback",
            _ when customSchemes.Contains(scheme, StringComparer.OrdinalIgnoreCase) => null,
            _ => "a scheme that is not allowed",
        };
    }

    // RFC 3986 §3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
    private static bool IsScheme(string scheme) =>
        char.IsAsciiLetter(scheme[0]) && scheme.All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '-' or '.');

    // RFC 3986 appendix B: the authority follows "//" and ends at the next "/", "?" or "#"; null when there is none.
    private static string? Authority(string afterScheme)
    {
        if (!afterScheme.StartsWith("//", StringComparison.Ordinal))
        {
            return null;
        }

        var rest = afterScheme[2..];
        var end = rest.IndexOfAny(['/', '?', '#']);
        return end < 0 ? rest : rest[..end];
    }

    private static bool IsLoopback(string? authority)
    {
        if (authority is null)
        {
            return false;
        }

        string host;
        string port;
        if (authority.StartsWith('['))
        {
            var close = authority.IndexOf(']');
            if (close < 0)
            {
                return false;
            }

            host = authority[..(close + 1)];
            var afterHost = authority[(close + 1)..];
            if (afterHost.Length > 0 && afterHost[0] != ':')
            {
                return false;
            }

            port = afterHost.Length > 0 ? afterHost[1..] : "";
        }
        else
        {
            var lastColon = authority.LastIndexOf(':');
            host = lastColon < 0 ? authority : authority[..lastColon];
            port = lastColon < 0 ? "" : authority[(lastColon + 1)..];
        }

        // RFC 3986 §3.2.3: port = *DIGIT, here also within 0-65535.
        if (!port.All(char.IsAsciiDigit) || (port.TrimStart('0') is { Length: > 0 } significant && (significant.Length > 5 || int.Parse(significant) > 65535)))
        {
            return false;
        }

        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            return Ipv6(host[1..^1]) is { } address &&
                   ((address.AsSpan(0, 15).IndexOfAnyExcept((byte)0) < 0 && address[15] == 1) ||
                    (address.AsSpan(0, 10).IndexOfAnyExcept((byte)0) < 0 && address[10] == 0xFF && address[11] == 0xFF && address[12] == 127));
        }

        return host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || (Ipv4(host) is { } ipv4 && ipv4 >> 24 == 127);
    }

    /// <summary>The WHATWG URL standard's IPv4 parser: 1 to 4 parts, each decimal, 0x-hex or 0-octal; null when the host is no IPv4 address.</summary>
    private static uint? Ipv4(string host)
    {
        var parts = host.Split('.').ToList();
        if (parts.Count > 1 && parts[^1].Length == 0)
        {
            parts.RemoveAt(parts.Count - 1);
        }

        if (parts.Count is 0 or > 4)
        {
            return null;
        }

        var numbers = new List<ulong>();
        foreach (var part in parts)
        {
            if (Ipv4Number(part) is not { } number)
            {
                return null;
            }

            numbers.Add(number);
        }

        if (numbers.Take(numbers.Count - 1).Any(n => n > 255) || numbers[^1] >= 1UL << (8 * (5 - numbers.Count)))
        {
            return null;
        }

        var address = numbers[^1];
        for (var i = 0; i < numbers.Count - 1; i++)
        {
            address += numbers[i] << (8 * (3 - i));
        }

        return (uint)address;
    }

    private static ulong? Ipv4Number(string part)
    {
        if (part.Length == 0)
        {
            return null;
        }

        var (digits, radix) = part.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? (part[2..], 16)
            : part.Length > 1 && part[0] == '0' ? (part[1..], 8)
            : (part, 10);
        ulong value = 0;
        foreach (var c in digits)
        {
            var digit = char.IsAsciiDigit(c) ? c - '0' : char.IsAsciiHexDigit(c) ? char.ToLowerInvariant(c) - 'a' + 10 : 99;
            if (digit >= radix)
            {
                return null;
            }

            value = value * (ulong)radix + (ulong)digit;
            if (value > uint.MaxValue)
            {
                return ulong.MaxValue;
            }
        }

        return value;
    }

    /// <summary>RFC 4291 §2.2 text form: eight 16-bit hex pieces, one "::" at most, an optional dotted IPv4 tail; no zone.</summary>
    private static byte[]? Ipv6(string text)
    {
        var doubleColon = text.IndexOf("::", StringComparison.Ordinal);
        if (doubleColon >= 0 && text.IndexOf("::", doubleColon + 1, StringComparison.Ordinal) >= 0)
        {
            return null;
        }

        var head = Pieces(doubleColon < 0 ? text : text[..doubleColon]);
        var tail = doubleColon < 0 ? [] : Pieces(text[(doubleColon + 2)..]);
        if (head is null || tail is null)
        {
            return null;
        }

        var count = head.Count + tail.Count;
        if (doubleColon < 0 ? count != 8 : count > 7)
        {
            return null;
        }

        var pieces = head.Concat(Enumerable.Repeat(0, 8 - count)).Concat(tail).ToArray();
        var bytes = new byte[16];
        for (var i = 0; i < 8; i++)
        {
            bytes[2 * i] = (byte)(pieces[i] >> 8);
            bytes[2 * i + 1] = (byte)pieces[i];
        }

        return bytes;
    }

    // Colon-separated hex pieces; the last may be a dotted-decimal IPv4 address (two pieces).
    private static List<int>? Pieces(string text)
    {
        var pieces = new List<int>();
        if (text.Length == 0)
        {
            return pieces;
        }

        var parts = text.Split(':');
        for (var i = 0; i < parts.Length; i++)
        {
            var part = parts[i];
            if (i == parts.Length - 1 && part.Contains('.'))
            {
                var octets = part.Split('.');
                if (octets.Length != 4 || octets.Any(o => o.Length is 0 or > 3 || !o.All(char.IsAsciiDigit) || (o.Length > 1 && o[0] == '0') || int.Parse(o) > 255))
                {
                    return null;
                }

                pieces.Add(int.Parse(octets[0]) << 8 | int.Parse(octets[1]));
                pieces.Add(int.Parse(octets[2]) << 8 | int.Parse(octets[3]));
            }
            else if (part.Length is >= 1 and <= 4 && part.All(char.IsAsciiHexDigit))
            {
                pieces.Add(Convert.ToInt32(part, 16));
            }
            else
            {
                return null;
            }
        }

        return pieces;
    }
}
