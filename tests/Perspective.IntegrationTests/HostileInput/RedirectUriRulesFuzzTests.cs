using System.Globalization;
using System.Text;
using CsCheck;
using Perspective.Identity.OAuth;

namespace Perspective.IntegrationTests.HostileInput;

/// <summary>
/// Bounded property-based fuzzing of <see cref="RedirectUriRules"/> against <see cref="RedirectUriReference"/>,
/// the documented rules written independently: for random, assembled and mutated URIs (odd schemes and the
/// configured desktop schemes, user information, IPv4 and IPv6 literals, ports, percent-encoding, Unicode hosts,
/// control characters, lengths around the limit) and random scheme configurations, the rule never throws, never
/// accepts what the documented rules refuse, and accepts every well-formed URI they allow. A failure prints the
/// CsCheck seed that reproduces it (set CsCheck_Seed, or the seed parameter, to replay it).
/// </summary>
public sealed class RedirectUriRulesFuzzTests
{
    private const int Iterations = 5000;

    private static readonly string[] CandidateCustomSchemes =
        ["cursor", "vscode", "vscode-insiders", "claude", "windsurf", "com.example.app", "my+app", "x.y-z", "Cursor", "VSCODE", "file"];

    private static readonly string[] ForeignSchemes =
    [
        "ftp", "javascript", "data", "file", "ws", "wss", "mailto", "chrome-extension", "ms-app", "intent", "jar", "urn", "cursor2",
        "vscode-insider", "claude.ai", "httpx", "https+x", "h", "news", "ldap", "gopher",
    ];

    private static readonly string[] LoopbackHosts =
        ["localhost", "LocalHost", "LOCALHOST", "127.0.0.1", "[::1]", "[0:0:0:0:0:0:0:1]", "[0::1]", "[::ffff:127.0.0.1]"];

    private static readonly string[] NonLoopbackHosts =
    [
        "10.0.0.1", "192.168.1.10", "169.254.169.254", "8.8.8.8", "0.0.0.0", "[::]", "[2001:db8::1]", "[fe80::1]", "[::2]",
        "loopback", "LoopBack", "localhost.example", "localhost.localdomain", "127.0.0.1.nip.io", "[::127.0.0.1]", "[::ffff:10.0.0.1]",
        "0127.0.0.1", "localhost.", "xn--localhost", "localhost-", "126.0.0.1", "128.0.0.1", "[64:ff9b::127.0.0.1]",
    ];

    /// <summary>Hosts whose verdict depends on how they are read: the reference decides, the rule may only be stricter.</summary>
    private static readonly string[] AmbiguousHosts =
    [
        "127.1", "0x7f.0.0.1", "0x7F.1", "2130706433", "0177.0.0.1", "127.000.000.001", "127.0.0.1.", "127.0.0.256", "127.0.0.1.0",
        "[::1]x", "[::1].", "[::1%25lo]", "[::1%251]", "[fe80::1%25eth0]", "[::ffff:7f00:1]", "[v1.x]", "[::1", "::1", "[]", "",
        "%6c%6f%63%61%6c%68%6f%73%74", "localhost%00", "ex%41mple.com", "b\u00FCcher.example", "xn--bcher-kva.example",
        "\u0430pple.example", "\u4F8B\u3048.jp", "evil.com\\@127.0.0.1", "127.0.0.1\\@evil.com", "127.0.0.1\\.evil.com", "local\u0000host",
        "localhost\u3002", "LOCALHOST\u0307", "127\uFF0E0.0.1",
    ];

    private static readonly string[] UserInfos = ["user@", "u:p@", "@", "%40@", "127.0.0.1@", "localhost:8080@", "a%3Ab@", "@@"];

    private static readonly string[] Ports = [":", ":0", ":80", ":443", ":8080", ":65535", ":65536", ":99999", ":-1", ":abc", ":+80", ":0080", ":80:80", ": 80"];

    private static readonly string[] Fragments = ["#", "#x", "#/cb", "#%23", "##"];

    private static readonly string[] Separators = [":", ":/", ":///", "//", ":\\\\", "", "://", "://", "://"];

    private static readonly char[] Unusual =
    [
        '\0', '\t', '\n', '\r', ' ', '\u007F', '\u0085', '\u00A0', '\u200B', '\u200E', '\u202E', '\u2066', '\uFEFF', '\u2028', '\u00E9',
        '\u65E5', '\uD800', '\uDC00', '\\', '"', '<', '>', '^', '`', '{', '|', '}', '%', '#', '@', ':', '/', '?', '[', ']',
    ];

    private static readonly Gen<string> Label = Gen.Select(Gen.Char['a', 'z'], Gen.Char["abcdefghijklmnopqrstuvwxyz0123456789"].Array[0, 10])
        .Select(p => p.Item1 + new string(p.Item2));

    private static readonly Gen<string> DnsHost =
        Gen.Select(Label.Array[1, 3], Gen.OneOf("example", "com", "dev", "io", "app"))
            .Select(p => string.Join('.', p.Item1) + "." + p.Item2);

    private static readonly Gen<string> Ipv4Loopback =
        Gen.Select(Gen.Int[0, 255], Gen.Int[0, 255], Gen.Int[1, 254]).Select(p => $"127.{p.Item1}.{p.Item2}.{p.Item3}");

    private static readonly Gen<string> Port = Gen.Frequency((3, Gen.Const("")), (2, Gen.Int[0, 65535].Select(p => ":" + p)));

    private static readonly Gen<string> Segment =
        Gen.Frequency(
            (6, Gen.Char["abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~"].Array[1, 12].Select(c => new string(c))),
            (1, Gen.OneOf("%2F", "%20", "%41", "%25", "%C3%A9", "!$&'()*+,;=", ":", "@", "..", ".")));

    private static readonly Gen<string> PathGen = Gen.Frequency(
        (1, Gen.Const("")),
        (1, Gen.Const("/")),
        (4, Segment.Array[1, 4].Select(s => "/" + string.Join('/', s))));

    private static readonly Gen<string> Query = Gen.Frequency(
        (3, Gen.Const("")),
        (1, Gen.Select(Segment, Segment).Array[1, 3].Select(pairs => "?" + string.Join('&', pairs.Select(p => $"{p.Item1}={p.Item2}")))));

    /// <summary>A scheme configuration: the documented default, or a random choice among candidates (possibly none).</summary>
    private static readonly Gen<string[]> Configuration = Gen.Frequency(
        (1, Gen.Const(RedirectUriReference.DocumentedCustomSchemes)),
        (2, Gen.Bool.Array[CandidateCustomSchemes.Length].Select(mask => CandidateCustomSchemes.Where((_, i) => mask[i]).ToArray())));

    [Fact]
    public void Well_formed_uris_are_accepted_exactly_when_the_documented_rules_allow_them()
    {
        var cases =
            from schemes in Configuration
            from uri in WellFormed(schemes)
            select (schemes, uri.Uri, uri.Allowed);

        cases.Sample((schemes, uri, allowed) =>
            {
                var problem = new RedirectUriRules(schemes).Problem(uri);
                var reference = RedirectUriReference.Refusal(uri, schemes);
                Assert.True((reference is null) == allowed, $"The reference disagrees with the assembly of {Show(uri)}: {reference ?? "allowed"}.");
                Assert.True((problem is null) == allowed, $"{Show(uri)} should be {(allowed ? "allowed" : "refused")}; the rule says: {problem ?? "allowed"}.");
            },
            iter: Iterations, threads: 1,
            print: c => $"{Show(c.Item2)} with schemes [{string.Join(", ", c.Item1)}]");
    }

    [Fact]
    public void Allowed_uris_are_accepted_up_to_the_length_limit_and_refused_beyond_it()
    {
        var cases =
            from schemes in Configuration
            from uri in WellFormed(schemes).Where(w => w.Allowed)
            from length in Gen.Int[RedirectUriReference.MaxLength - 12, RedirectUriReference.MaxLength + 12]
            select (schemes, Uri: Padded(uri.Uri, length));

        cases.Sample((schemes, uri) =>
            {
                var problem = new RedirectUriRules(schemes).Problem(uri);
                Assert.True((problem is null) == (uri.Length <= RedirectUriReference.MaxLength), $"{uri.Length} characters: {problem ?? "allowed"}");
            },
            iter: 1000, threads: 1,
            print: c => $"{Show(c.Item2)} with schemes [{string.Join(", ", c.Item1)}]");
    }

    [Fact]
    public void No_uri_is_accepted_that_the_documented_rules_refuse_and_none_makes_the_rule_throw()
    {
        var cases =
            from schemes in Configuration
            from uri in Gen.Frequency(
                (4, Assembled(schemes)),
                (4, WellFormed(schemes).SelectMany(w => Mutated(w.Uri))),
                (1, Gen.String[0, 60]),
                (1, Gen.Char['!', '~'].Array[0, 80].Select(c => new string(c))),
                (1, WellFormed(schemes).SelectMany(w => Gen.Int[RedirectUriReference.MaxLength - 12, RedirectUriReference.MaxLength + 12]
                    .Select(length => Padded(w.Uri, length)))))
            select (schemes, uri);

        cases.Sample((schemes, uri) =>
            {
                var problem = new RedirectUriRules(schemes).Problem(uri);
                Assert.True(problem is not null || RedirectUriReference.Allows(uri, schemes),
                    $"Accepted {Show(uri)}, which the documented rules refuse: {RedirectUriReference.Refusal(uri, schemes)}.");
                Assert.True(problem is null || !problem.Any(c => char.IsControl(c) || CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.Format),
                    $"The problem with {Show(uri)} echoes control or format characters: {Show(problem)}");
            },
            iter: Iterations, threads: 1,
            print: c => $"{Show(c.Item2)} with schemes [{string.Join(", ", c.Item1)}]");
    }

    [Fact]
    public void Null_and_empty_values_are_refused()
    {
        var rules = new RedirectUriRules(RedirectUriReference.DocumentedCustomSchemes);

        Assert.NotNull(rules.Problem(null));
        Assert.NotNull(rules.Problem(""));
        Assert.NotNull(rules.Problem("   "));
    }

    /// <summary>URIs assembled from unambiguous parts, each known to be allowed or not by the documented rules.</summary>
    private static Gen<(string Uri, bool Allowed)> WellFormed(string[] schemes)
    {
        // file is configurable but Uri gives it a syntax of its own (no port, "file:x" is no URI): only the wild URIs use it.
        var allowedCustom = schemes.Where(s => !s.Equals("file", StringComparison.OrdinalIgnoreCase)).ToArray();
        var foreign = ForeignSchemes.Concat(CandidateCustomSchemes).Where(c => !schemes.Contains(c, StringComparer.OrdinalIgnoreCase)).ToArray();

        var https =
            from scheme in Gen.OneOf("https", "HTTPS", "Https")
            from host in Gen.Frequency((4, DnsHost), (1, Gen.OneOf(LoopbackHosts)), (1, Gen.OneOf(NonLoopbackHosts)), (1, Ipv4Loopback))
            select (Scheme: scheme, Authority: (string?)host, Allowed: true);
        var httpLoopback =
            from scheme in Gen.OneOf("http", "HTTP", "Http")
            from host in Gen.Frequency((3, Gen.OneOf(LoopbackHosts)), (1, Ipv4Loopback))
            select (Scheme: scheme, Authority: (string?)host, Allowed: true);
        var httpElsewhere =
            from scheme in Gen.OneOf("http", "HTTP")
            from host in Gen.Frequency((1, DnsHost), (3, Gen.OneOf(NonLoopbackHosts)))
            select (Scheme: scheme, Authority: (string?)host, Allowed: false);
        var custom =
            from scheme in allowedCustom.Length > 0 ? Gen.OneOf(allowedCustom) : Gen.OneOf(ForeignSchemes)
            from upper in Gen.Bool
            from host in Gen.Frequency((2, DnsHost.Select(h => (string?)h)), (1, Gen.Const((string?)null)))
            select (Scheme: upper ? scheme.ToUpperInvariant() : scheme, Authority: host, Allowed: allowedCustom.Length > 0);
        var other =
            from scheme in Gen.OneOf(foreign)
            from host in Gen.Frequency((2, DnsHost.Select(h => (string?)h)), (1, Gen.Const((string?)null)))
            select (Scheme: scheme, Authority: host, Allowed: false);

        return
            from start in Gen.Frequency((3, https), (3, httpLoopback), (2, httpElsewhere), (2, custom), (1, other))
            from port in Port
            from path in PathGen
            from query in Query
            from userInfo in Gen.Frequency((8, Gen.Const("")), (1, Gen.OneOf(UserInfos)))
            from fragment in Gen.Frequency((8, Gen.Const("")), (1, Gen.OneOf(Fragments)))
            let authority = start.Authority is null ? null : userInfo + start.Authority + (IsHostOnly(start.Authority) ? port : "")
            let uri = start.Scheme + ":" + (authority is null ? path.TrimStart('/') : "//" + authority + path) + query + fragment
            select (uri, start.Allowed && (authority is null || userInfo.Length == 0) && fragment.Length == 0);
    }

    private static bool IsHostOnly(string host) => !host.Contains(':') || host.StartsWith('[');

    /// <summary>URIs assembled from any parts, ambiguous and malformed ones included.</summary>
    private static Gen<string> Assembled(string[] schemes) =>
        from scheme in Gen.Frequency(
            (3, Gen.OneOf("https", "http", "HTTP", "hTtPs")),
            (2, Gen.OneOf(schemes.Length > 0 ? schemes : CandidateCustomSchemes)),
            (1, Gen.OneOf(ForeignSchemes)),
            (1, Gen.String[0, 8]))
        from separator in Gen.OneOf(Separators)
        from userInfo in Gen.Frequency((4, Gen.Const("")), (1, Gen.OneOf(UserInfos)), (1, Gen.String[0, 6].Select(s => s + "@")))
        from host in Gen.Frequency(
            (2, Gen.OneOf(LoopbackHosts)), (2, Gen.OneOf(NonLoopbackHosts)), (3, Gen.OneOf(AmbiguousHosts)), (1, DnsHost), (1, Ipv4Loopback),
            (1, Gen.String[0, 12]))
        from port in Gen.Frequency((3, Gen.Const("")), (1, Port), (1, Gen.OneOf(Ports)))
        from path in Gen.Frequency((4, PathGen), (1, Gen.OneOf("\\cb", "/\\evil.com", "/%zz", "/%00", "/\u00FC", "/..%2F..", "//evil.com", "/?#")), (1, Gen.String[0, 10]))
        from query in Query
        from fragment in Gen.Frequency((4, Gen.Const("")), (1, Gen.OneOf(Fragments)))
        select scheme + separator + userInfo + host + port + path + query + fragment;

    /// <summary>A URI with characters inserted, replaced or removed, or a piece duplicated.</summary>
    private static Gen<string> Mutated(string uri) =>
        from edits in Gen.Select(Gen.Int[0, 3], Gen.Int[0, 4096], Gen.Frequency((3, Gen.OneOf(Unusual)), (1, Gen.Char))).Array[1, 3]
        select Mutate(uri, edits);

    private static string Mutate(string uri, (int Kind, int Position, char Char)[] edits)
    {
        var text = new StringBuilder(uri);
        foreach (var (kind, position, c) in edits)
        {
            var at = text.Length == 0 ? 0 : position % text.Length;
            switch (kind)
            {
                case 0 when text.Length > 0: text[at] = c; break;
                case 1 when text.Length > 0: text.Remove(at, Math.Min(1 + position % 4, text.Length - at)); break;
                case 2: text.Insert(at, text.ToString(at, Math.Min(8, text.Length - at))); break;
                default: text.Insert(at, c); break;
            }
        }

        return text.ToString();
    }

    // Before any query or fragment, so that only the path grows.
    private static string Padded(string uri, int length)
    {
        var end = uri.IndexOfAny(['?', '#']);
        var (head, tail) = end < 0 ? (uri, "") : (uri[..end], uri[end..]);
        var padding = Math.Max(0, length - uri.Length);
        return head + (head.EndsWith('/') ? "" : "/") + new string('a', padding) + tail;
    }

    /// <summary>The value with everything outside visible ASCII escaped, for messages.</summary>
    private static string Show(string? value) =>
        value is null ? "(null)" : "\"" + string.Concat(value.Select(c => c is >= ' ' and <= '~' ? c.ToString() : $"\\u{(int)c:X4}")) + "\"";
}
