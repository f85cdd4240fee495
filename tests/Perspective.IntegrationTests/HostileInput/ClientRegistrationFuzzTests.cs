using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using CsCheck;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenIddict.Abstractions;
using Xunit.Abstractions;

namespace Perspective.IntegrationTests.HostileInput;

/// <summary>
/// Bounded property-based fuzzing of dynamic client registration (<c>/connect/register</c>) in process: JSON
/// objects with the real RFC 7591 member names and random typed values (duplicates and escaped names included),
/// and byte-level mutations of valid registration bodies. Whatever arrives, the answer is a 201 or a precise
/// RFC 7591 error (never a 5xx), nothing is logged as an error, and every client a 201 announces exists with
/// exactly the announced redirect URIs, each allowed by the documented rules (<see cref="RedirectUriReference"/>),
/// and a name that is one line of visible text. A failure prints the CsCheck seed that reproduces it.
/// </summary>
public sealed class ClientRegistrationFuzzTests(PlatformFactory factory, ITestOutputHelper output) : IClassFixture<PlatformFactory>
{
    // Registrations are not cheap (a confidential client's secret is hashed with PBKDF2): 200 of each kind stay well under 15 s.
    private const int Iterations = 200;

    private static readonly string[] OtherMembers =
    [
        "client_id", "client_secret", "client_id_issued_at", "client_uri", "logo_uri", "contacts", "jwks", "jwks_uri", "software_id",
        "software_version", "software_statement", "tos_uri", "policy_uri", "application_type", "redirect_uri", "__proto__", "REDIRECT_URIS",
    ];

    private static readonly string[] GoodRedirectUris =
    [
        "http://127.0.0.1:43117/callback", "http://localhost:6274/oauth/callback", "http://[::1]:8080/cb", "http://127.0.0.1:33418",
        "https://app.example/cb", "https://vscode.dev/redirect", "https://claude.ai/api/mcp/auth_callback", "HTTPS://APP.EXAMPLE/CB",
        "cursor://anysphere.cursor-retrieval/oauth/callback", "vscode://vscode.github-authentication/did-authenticate", "claude://callback",
        "vscode:", "http://127.1:4000/cb", "https://app.example/%zz", "https://app.example/%E2%80%AE", "https://app.example/" + new string('a', 1980),
        "https://app.example/cb?x=1&y=%20",
    ];

    private static readonly string[] BadRedirectUris =
    [
        "http://loopback/cb", "http://evil.example/cb", "https://@app.example/cb", "https:\\\\app.example\\cb", "https://app.example/cb#frag",
        "https://user@app.example/cb", "javascript:alert(1)", "data:text/html,x", "file:///etc/passwd", "http://[::127.0.0.1]/cb",
        "http://[::1%251]/cb", "https://app.example/a b", "https://app.\u00E9xample/cb", "https://app.example/cb\r\nX: y", "", "/relative",
        "https://app.example/" + new string('a', 2000), "http://0.0.0.0:4000/cb",
    ];

    private static readonly string[] GoodNames = ["Fuzz Client", "Caf\u00E9 Client \u2014 \u65E5\u672C\u8A9E", "Claude", " padded ", "e\u0301", "\U0001F600"];

    private static readonly string[] BadNames = ["", "  ", new string('n', 201), "Good\u202EName", "Good\nName", "\u200B", "\uD800", "a\u0000b"];

    private static readonly string[] GoodAuthMethods = ["none", "client_secret_post", "client_secret_basic"];

    private static readonly string[] BadAuthMethods = ["private_key_jwt", "client_secret_jwt", "", "NONE", "none "];

    private static readonly string[] GoodGrantTypes = ["authorization_code", "refresh_token"];

    private static readonly string[] BadGrantTypes = ["client_credentials", "password", "implicit", "urn:ietf:params:oauth:grant-type:device_code", "", "Authorization_Code"];

    private static readonly string[] GoodScopes = ["mcp", "mcp offline_access", "offline_access", " mcp ", "", "mcp  mcp", "mcp:read", "mcp:read mcp:write offline_access", "mcp:write"];

    private static readonly string[] BadScopes = ["admin", "management", "openid", "mcp admin", "mcp\toffline_access", "MCP", "mcp:admin", "MCP:READ", "mcp:read:write"];

    private static readonly string[] ValidBodies =
    [
        """{"redirect_uris":["http://127.0.0.1:43117/callback"],"client_name":"Fuzz","token_endpoint_auth_method":"none","grant_types":["authorization_code","refresh_token"],"response_types":["code"],"scope":"mcp offline_access"}""",
        """{"client_name":"Claude","redirect_uris":["https://claude.ai/api/mcp/auth_callback"]}""",
        """{"redirect_uris":["cursor://anysphere.cursor-retrieval/oauth/callback","http://localhost:6274/cb"],"token_endpoint_auth_method":"client_secret_post"}""",
    ];

    private static readonly byte[] InterestingBytes = "\"\\{}[],:@#\0\n \u007F"u8.ToArray().Concat(new byte[] { 0x80, 0xFF, 0xC3, 0xE2, 0xED }).ToArray();

    private static readonly Gen<string> RawText = Gen.Frequency(
        (3, Gen.String[0, 20]),
        (1, Gen.Char['!', '~'].Array[0, 40].Select(c => new string(c))));

    private static readonly Gen<string> Scalar = Gen.Frequency(
        (3, RawText.SelectMany(JsonString)),
        (2, Gen.OneOf(GoodRedirectUris.Concat(BadRedirectUris).Concat(GoodNames).Concat(BadNames).Concat(BadGrantTypes).Concat(BadScopes).ToArray()).SelectMany(JsonString)),
        (2, Gen.Long.Select(n => n.ToString(CultureInfo.InvariantCulture))),
        (1, Gen.OneOf("1e400", "-0", "0.5", "1E-7", "-9223372036854775809", "18446744073709551616", "true", "false", "null")));

    /// <summary>Any JSON value: scalars, arrays and objects a few levels deep.</summary>
    private static readonly Gen<string> AnyValue = Gen.Recursive<string>((depth, inner) => depth > 2
        ? Scalar
        : Gen.Frequency(
            (4, Scalar),
            (1, inner.Array[0, 4].Select(items => "[" + string.Join(',', items) + "]")),
            (1, Gen.Select(Gen.OneOf(OtherMembers.Concat(["redirect_uris", "client_name"]).ToArray()), inner).Array[0, 3]
                .Select(members => "{" + string.Join(',', members.Select(m => Quote(m.Item1) + ":" + m.Item2)) + "}"))));

    [Fact]
    public async Task No_typed_metadata_object_yields_a_server_error_or_an_unannounced_client()
    {
        var counts = new Dictionary<int, int>();
        var generator =
            from members in Gen.Select(RedirectUrisMember, OptionalMembers, Extras)
            from order in Gen.Int.Array[members.Item2.Length + members.Item3.Length + 1]
            select Body(members.Item1, members.Item2, members.Item3, order);

        await generator.SampleAsync(async body => Count(counts, await AssertRegistrationAsync(body)), iter: Iterations, threads: 1, print: Show);

        Report(counts);
        Assert.True(counts.GetValueOrDefault(201) > 0, "No generated registration succeeded: the generator no longer reaches past the first check.");
    }

    [Fact]
    public async Task No_mutated_registration_body_yields_a_server_error_or_an_unannounced_client()
    {
        var counts = new Dictionary<int, int>();
        var generator =
            from valid in Gen.OneOf(ValidBodies)
            from edits in Gen.Select(Gen.Int[0, 3], Gen.Int[0, 4096], Gen.Frequency((1, Gen.Byte), (1, Gen.OneOf(InterestingBytes)))).Array[1, 4]
            select ByteMutations.Apply(Encoding.UTF8.GetBytes(valid), edits);

        await generator.SampleAsync(async body => Count(counts, await AssertRegistrationAsync(body)), iter: Iterations, threads: 1, print: Show);

        Report(counts);
    }

    private static Gen<string?> RedirectUrisMember => Gen.Frequency(
        (8, OneOf(GoodRedirectUris, BadRedirectUris).Array[1, 3].Select(uris => (string?)("[" + string.Join(',', uris) + "]"))),
        (1, Gen.OneOf(GoodRedirectUris).SelectMany(JsonString).Array[11, 12].Select(uris => (string?)("[" + string.Join(',', uris) + "]"))),
        (1, Gen.OneOf<string?>("[]", "null", null)),
        (1, AnyValue.Select(v => (string?)v)));

    /// <summary>The optional members RFC 7591 defines and this server reads, each present or not, mostly acceptable, typed or not.</summary>
    private static Gen<(string Name, string Value)[]> OptionalMembers =>
        Gen.Select(
            Typed(OneOf(GoodNames, BadNames)),
            Typed(OneOf(GoodAuthMethods, BadAuthMethods)),
            Typed(OneOf(GoodGrantTypes, BadGrantTypes).Array[0, 3].Select(v => "[" + string.Join(',', v) + "]")),
            Typed(OneOf(["code"], ["token", "id_token", "code id_token", "Code"]).Array[0, 2].Select(v => "[" + string.Join(',', v) + "]")),
            Typed(OneOf(GoodScopes, BadScopes)))
        .Select(values => new[]
            {
                ("client_name", values.Item1), ("token_endpoint_auth_method", values.Item2), ("grant_types", values.Item3),
                ("response_types", values.Item4), ("scope", values.Item5),
            }
            .Where(m => m.Item2 is not null).Select(m => (m.Item1, m.Item2!)).ToArray());

    // A JSON string: usually an acceptable value, sometimes an unacceptable one or random text.
    private static Gen<string> OneOf(string[] good, string[] bad) =>
        Gen.Frequency((12, Gen.OneOf(good)), (1, Gen.OneOf(bad)), (1, RawText)).SelectMany(JsonString);

    /// <summary>Further members: RFC 7591's others, random names, or one of the read members again (a duplicate).</summary>
    private static Gen<(string Name, string Value)[]> Extras =>
        Gen.Select(Gen.Frequency((8, Gen.OneOf(OtherMembers)), (1, Gen.OneOf("redirect_uris", "client_name", "scope")), (1, RawText)), AnyValue)
            .Select(m => (m.Item1, m.Item2)).Array[0, 3];

    // Absent (null) about half the time; when present, usually of the member's type, otherwise any JSON value.
    private static Gen<string?> Typed(Gen<string> typed) =>
        Gen.Frequency((6, Gen.Const((string?)null)), (6, typed.Select(v => (string?)v)), (1, AnyValue.Select(v => (string?)v)));

    private static byte[] Body(string? redirectUris, (string Name, string Value)[] optional, (string Name, string Value)[] extras, int[] order)
    {
        var members = (redirectUris is null ? [] : new[] { ("redirect_uris", redirectUris) }).Concat(optional).Concat(extras)
            .Select((m, i) => (Member: m, Key: order[i % order.Length]))
            .OrderBy(m => m.Key)
            .Select(m => (m.Key & 7) == 0 ? Escaped(m.Member.Item1) + ":" + m.Member.Item2 : Quote(m.Member.Item1) + ":" + m.Member.Item2);
        return Encoding.UTF8.GetBytes("{" + string.Join(',', members) + "}");
    }

    /// <summary>A JSON string for <paramref name="value"/>: escaped as usual, with only what JSON requires escaped, or every character as \u.</summary>
    private static Gen<string> JsonString(string value) => Gen.Frequency(
        (3, Gen.Const(JsonSerializer.Serialize(value))),
        (2, Gen.Const(JsonSerializer.Serialize(value, new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))),
        (1, Gen.Const(Escaped(value))));

    private static string Quote(string name) => JsonSerializer.Serialize(name, new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

    private static string Escaped(string value) => "\"" + string.Concat(value.Select(c => $"\\u{(int)c:x4}")) + "\"";

    /// <summary>Posts <paramref name="body"/> and checks the answer and what it announces; returns the status.</summary>
    private async Task<int> AssertRegistrationAsync(byte[] body)
    {
        // The host started first: what it logs while starting (on a fresh PostgreSQL database, EF's migration probe) is no answer's.
        var server = factory.Server;
        var logged = factory.Logs.Lines.Count;

        var context = await server.SendAsync(http =>
        {
            http.Request.Method = HttpMethods.Post;
            http.Request.Path = "/connect/register";
            http.Request.ContentType = "application/json";
            http.Request.ContentLength = body.Length;
            http.Request.Body = new MemoryStream(body);
        });
        var status = context.Response.StatusCode;
        var text = await new StreamReader(context.Response.Body).ReadToEndAsync();

        var errors = factory.Logs.Lines.Skip(logged)
            .Where(line => line.StartsWith("Error ", StringComparison.Ordinal) || line.StartsWith("Critical ", StringComparison.Ordinal)).ToList();
        Assert.True(status < 500 && errors.Count == 0, $"HTTP {status}: {text}; logged: {string.Join('\n', errors)}");
        Assert.True(status is StatusCodes.Status201Created or StatusCodes.Status400BadRequest or StatusCodes.Status413PayloadTooLarge, $"HTTP {status}: {text}");
        var answer = JsonDocument.Parse(text).RootElement;
        if (status != StatusCodes.Status201Created)
        {
            Assert.Contains(answer.GetProperty("error").GetString(), new[] { "invalid_client_metadata", "invalid_redirect_uri" });
            Assert.False(string.IsNullOrWhiteSpace(answer.GetProperty("error_description").GetString()), text);
            return status;
        }

        var clientId = answer.GetProperty("client_id").GetString()!;
        Assert.StartsWith("pcl_", clientId, StringComparison.Ordinal);
        var announced = answer.GetProperty("redirect_uris").EnumerateArray().Select(uri => uri.GetString()!).ToList();
        Assert.InRange(announced.Count, 1, 10);
        var schemes = CustomSchemes();
        Assert.All(announced, uri => Assert.True(RedirectUriReference.Allows(uri, schemes),
            $"Registered {JsonSerializer.Serialize(uri)}, which the documented rules refuse: {RedirectUriReference.Refusal(uri, schemes)}"));
        if (answer.TryGetProperty("client_name", out var name))
        {
            var shown = name.GetString()!;
            Assert.True(shown.Length > 0 && shown == shown.Trim() && !shown.Any(c => char.IsControl(c) || CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.Format),
                $"Registered the name {JsonSerializer.Serialize(shown)}");
        }

        await using var scope = factory.Services.CreateAsyncScope();
        var applications = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
        var application = await applications.FindByClientIdAsync(clientId);
        Assert.True(application is not null, $"The announced client {clientId} does not exist.");
        var stored = await applications.GetRedirectUrisAsync(application);
        Assert.True(stored.Order(StringComparer.Ordinal).SequenceEqual(announced.Distinct().Order(StringComparer.Ordinal)),
            $"Announced {JsonSerializer.Serialize(announced)}, stored {JsonSerializer.Serialize(stored)}");
        Assert.Equal(answer.TryGetProperty("client_name", out var announcedName) ? announcedName.GetString() : null, await applications.GetDisplayNameAsync(application));
        return status;
    }

    private string[] CustomSchemes() =>
        factory.Services.GetRequiredService<IConfiguration>().GetSection("OAuth:Registration:AllowedCustomSchemes").Get<string[]>()
        ?? RedirectUriReference.DocumentedCustomSchemes;

    private static void Count(Dictionary<int, int> counts, int status) => counts[status] = counts.GetValueOrDefault(status) + 1;

    private void Report(Dictionary<int, int> counts) =>
        output.WriteLine("Answers: " + string.Join(", ", counts.OrderBy(c => c.Key).Select(c => $"{c.Key} × {c.Value}")));

    private static string Show(byte[] body) =>
        string.Concat(Encoding.UTF8.GetString(body).Select(c => c is >= ' ' and <= '~' ? c.ToString() : $"\\u{(int)c:X4}"));
}
