using System.Net;
using System.Text;
using CsCheck;
using Microsoft.AspNetCore.Http;
using Perspective.Identity.Seeding;

namespace Perspective.IntegrationTests.HostileInput;

/// <summary>
/// Bounded property-based fuzzing of the OAuth endpoints in process: whatever arrives at
/// /connect/authorize, /connect/token or /connect/revoke, the answer is never a 5xx and nothing is
/// logged as an error. Requests are raw (no client-side encoding or validation) and mostly mutations
/// of a valid request, so they reach past the first parameter check. A failure prints the CsCheck seed
/// that reproduces it (set CsCheck_Seed, or the seed parameter, to replay it).
/// </summary>
public sealed class OAuthEndpointFuzzTests(PlatformFactory factory) : IClassFixture<PlatformFactory>
{
    private const int Iterations = 400;

    private static readonly string[] AuthorizeNames =
    [
        "client_id", "redirect_uri", "response_type", "response_mode", "scope", "state", "code_challenge", "code_challenge_method",
        "resource", "prompt", "nonce", "request", "request_uri", "max_age", "id_token_hint", "login_hint", "claims", "audience",
        "consent_action", "workspaces", "__RequestVerificationToken",
    ];

    private static readonly string[] TokenNames =
    [
        "grant_type", "code", "code_verifier", "redirect_uri", "client_id", "client_secret", "refresh_token", "scope", "resource",
        "client_assertion", "client_assertion_type", "device_code", "username", "password", "audience", "token", "token_type_hint",
        "subject_token", "subject_token_type", "actor_token", "requested_token_type",
    ];

    private static readonly string[] Interesting =
    [
        "", " ", "code", "token", "code id_token", "query", "fragment", "form_post", "S256", "plain", "mcp", "mcp offline_access", "admin",
        "management", "openid", "none", "login", "consent", "authorization_code", "refresh_token", "client_credentials", "password",
        "urn:ietf:params:oauth:grant-type:device_code", "urn:ietf:params:oauth:grant-type:token-exchange",
        "urn:ietf:params:oauth:client-assertion-type:jwt-bearer", "urn:ietf:params:oauth:request_uri:abc",
        PlatformFactory.PublicBaseUrl + "/mcp", "urn:perspective:management", OAuthTestClient.Redirect, "http://127.0.0.1:1/callback",
        "https://client.example/metadata.json", "https://localhost/metadata.json", "javascript:alert(1)", "/relative", "allow", "deny",
        "eyJhbGciOiJub25lIn0.e30.", "eyJhbGciOiJSUzI1NiJ9.e30.c2ln", "pmk_x", "-1", "99999999999999999999", "%", "%zz", "%C3%28", "%00",
        "%ff%fe", "%%", "%u0041", "+", "&", "=", "#", "\0", "\r\n", "<script>alert(1)</script>", "'\"><", new string('a', 43),
    ];

    /// <summary>Parameter values: known-meaningful ones, random Unicode (lone surrogates included), control characters, a few KB.</summary>
    private static readonly Gen<string> Value = Gen.Frequency(
        (4, Gen.OneOf(Interesting)),
        (3, Gen.String[0, 40]),
        (1, Gen.Char[(char)0, (char)31].Array[1, 8].Select(chars => new string(chars))),
        (1, Gen.Char['!', '~'].Array[1000, 4096].Select(chars => new string(chars))));

    [Fact]
    public async Task No_authorization_request_yields_a_server_error()
    {
        var oauth = new OAuthTestClient(factory, new CookieContainer());
        var baseline = oauth.AuthorizeParameters(await oauth.RegisterPublicClientAsync()).Select(p => KeyValuePair.Create(p.Key, p.Value ?? "")).ToList();
        var cookies = await factory.SignInAsync(DemoSeed.DemoEmail, DemoSeed.DemoPassword);
        var session = cookies.GetCookieHeader(factory.Server.BaseAddress);

        var requests =
            from form in Form(baseline, AuthorizeNames)
            from post in Gen.Frequency((3, Gen.Const(false)), (1, Gen.Const(true)))
            from signedIn in Gen.Bool
            select (form, post, signedIn);

        await requests.SampleAsync(
            async (form, post, signedIn) => await AssertNoServerErrorAsync(post
                ? Post("/connect/authorize", form, "application/x-www-form-urlencoded", authorization: null, signedIn ? session : null)
                : Get("/connect/authorize", form, signedIn ? session : null)),
            iter: Iterations, threads: 1);
    }

    [Theory]
    [InlineData("/connect/token")]
    [InlineData("/connect/revoke")]
    public async Task No_token_or_revocation_request_yields_a_server_error(string path)
    {
        var clientId = await new OAuthTestClient(factory, new CookieContainer()).RegisterPublicClientAsync();
        List<KeyValuePair<string, string>> baseline =
        [
            new("grant_type", "refresh_token"), new("refresh_token", "made-up"), new("client_id", clientId), new("token", "made-up"),
        ];

        var requests =
            from form in Form(baseline, TokenNames)
            from contentType in Gen.OneOf<string?>(
                "application/x-www-form-urlencoded", "application/x-www-form-urlencoded; charset=utf-8", "application/x-www-form-urlencoded; charset=bogus",
                null, "application/json", "multipart/form-data; boundary=x", "text/plain")
            from authorization in Gen.OneOf<string?>(
                null, "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(clientId + ":secret")), "Basic %%%", "Basic Og==", "Basic " + new string('A', 4000),
                "Bearer made-up")
            select (form, contentType, authorization);

        await requests.SampleAsync(
            async (form, contentType, authorization) => await AssertNoServerErrorAsync(Post(path, form, contentType, authorization, session: null)),
            iter: Iterations, threads: 1);
    }

    /// <summary>
    /// A raw urlencoded parameter string: the baseline with parameters dropped, their values replaced,
    /// random (possibly repeated) parameters added, each pair percent-encoded or sent as is.
    /// </summary>
    private static Gen<string> Form(List<KeyValuePair<string, string>> baseline, string[] names) =>
        from keep in Gen.Frequency((1, Gen.Const(false)), (6, Gen.Const(true))).Array[baseline.Count]
        from replacements in Value.Null(0.75).Array[baseline.Count]
        from extra in Gen.Select(Gen.Frequency((5, Gen.OneOf(names)), (1, Value)), Value).Select(pair => (Name: pair.Item1, Value: pair.Item2)).Array[0, 6]
        from raw in Gen.Frequency((3, Gen.Const(false)), (1, Gen.Const(true))).Array[baseline.Count + 6]
        select string.Join('&', baseline
            .Select((pair, i) => (Name: pair.Key, Value: replacements[i] ?? pair.Value, Keep: keep[i]))
            .Where(pair => pair.Keep)
            .Select(pair => (pair.Name, pair.Value))
            .Concat(extra)
            .Select((pair, i) => raw[i] ? $"{pair.Name}={pair.Value}" : $"{WebUtility.UrlEncode(pair.Name)}={WebUtility.UrlEncode(pair.Value)}"));

    private static Action<HttpContext> Get(string path, string query, string? session) => http =>
    {
        http.Request.Method = HttpMethods.Get;
        http.Request.Path = path;
        http.Request.QueryString = new QueryString("?" + query);
        if (session is not null)
        {
            http.Request.Headers.Cookie = session;
        }
    };

    private static Action<HttpContext> Post(string path, string form, string? contentType, string? authorization, string? session) => http =>
    {
        var body = Encoding.UTF8.GetBytes(form);
        http.Request.Method = HttpMethods.Post;
        http.Request.Path = path;
        http.Request.ContentType = contentType;
        http.Request.ContentLength = body.Length;
        http.Request.Body = new MemoryStream(body);
        if (authorization is not null)
        {
            http.Request.Headers.Authorization = authorization;
        }

        if (session is not null)
        {
            http.Request.Headers.Cookie = session;
        }
    };

    private async Task AssertNoServerErrorAsync(Action<HttpContext> request)
    {
        var logged = factory.Logs.Lines.Count;

        var response = (await factory.Server.SendAsync(request)).Response;

        var errors = factory.Logs.Lines.Skip(logged)
            .Where(line => line.StartsWith("Error ", StringComparison.Ordinal) || line.StartsWith("Critical ", StringComparison.Ordinal)).ToList();
        Assert.True(response.StatusCode < 500 && errors.Count == 0, $"HTTP {response.StatusCode}; logged: {string.Join('\n', errors)}");
    }
}
