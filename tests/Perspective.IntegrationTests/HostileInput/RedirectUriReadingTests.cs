using System.Net;
using Perspective.Identity.OAuth;
using Perspective.Identity.Seeding;

namespace Perspective.IntegrationTests.HostileInput;

/// <summary>
/// What the redirect URI fuzzing found: <see cref="Uri"/> reads some redirect URIs differently from how they
/// are written (the host name "loopback" as localhost, "[::127.0.0.1]" and "[::1]x" as loopback, an empty
/// "@" as no user information, backslashes as slashes), so the rules judged what Uri made of them rather than
/// what the client registered and a browser would follow. Each is now refused, at registration and at the
/// authorization endpoint's any-port matching for native apps (which let a client registered at
/// http://localhost:… be sent to http://loopback:…).
/// </summary>
public sealed class RedirectUriReadingTests(PlatformFactory factory) : IClassFixture<PlatformFactory>
{
    public static TheoryData<string, string> ReadDifferently => new()
    {
        { "http://loopback/callback", "uses http" },
        { "http://LoopBack:4000/cb", "uses http" },
        { "http://[::127.0.0.1]/cb", "uses http" },
        { "http://[::1]x/cb", "uses http" },
        { "http://[::1]./cb", "uses http" },
        { "http://[::1%251]/cb", "uses http" },
        { "http://[::1%25lo]:4000/cb", "uses http" },
        { "https://@app.example/cb", "user information" },
        { "http://@127.0.0.1:4000/cb", "user information" },
        { "cursor://@callback/x", "user information" },
        { "https:\\\\app.example/cb", "backslash" },
        { "https:\\\\@app.example/cb", "backslash" },
        { "http:\\\\localhost/cb", "backslash" },
    };

    [Theory]
    [MemberData(nameof(ReadDifferently))]
    public void The_rules_judge_the_uri_as_written(string redirectUri, string problem)
    {
        var rules = new RedirectUriRules(RedirectUriReference.DocumentedCustomSchemes);

        Assert.Contains(problem, rules.Problem(redirectUri));
        Assert.False(RedirectUriReference.Allows(redirectUri, RedirectUriReference.DocumentedCustomSchemes));
    }

    /// <summary>Uri reads a path as a file URI: where file is a configured scheme, such a path must still be refused.</summary>
    [Theory]
    [InlineData("/Ts")]
    [InlineData("/etc/passwd")]
    [InlineData("//server/share")]
    [InlineData("\\\\server\\share")]
    public void A_uri_without_a_written_scheme_is_refused(string value)
    {
        var rules = new RedirectUriRules(["file", .. RedirectUriReference.DocumentedCustomSchemes]);

        Assert.NotNull(rules.Problem(value));
    }

    [Theory]
    [MemberData(nameof(ReadDifferently))]
    public async Task Registration_refuses_a_uri_that_is_read_differently(string redirectUri, string problem)
    {
        using var http = factory.CreateClient();

        using var response = await http.PostAsync("/connect/register", OAuthTestClient.Json(new { redirect_uris = new[] { redirectUri } }));

        Assert.Contains(problem, await HostileAnswers.OAuthErrorAsync(response, HttpStatusCode.BadRequest, "invalid_redirect_uri", redirectUri));
        HostileAnswers.NoErrorLogs(factory.Logs);
    }

    [Theory]
    [InlineData("http://127.0.0.1:43117/callback")]
    [InlineData("http://localhost:6274/oauth/callback")]
    [InlineData("http://LOCALHOST:6274/oauth/callback")]
    [InlineData("http://[::1]:8080/cb")]
    [InlineData("http://[0:0:0:0:0:0:0:1]:8080/cb")]
    [InlineData("http://[::ffff:127.0.0.1]:8080/cb")]
    [InlineData("http://127.0.0.1:33418")]
    [InlineData("http://127.1:4000/cb")]
    [InlineData("https://vscode.dev/redirect")]
    [InlineData("https://app.example/cb?x=a@b")]
    [InlineData("cursor://anysphere.cursor-retrieval/oauth/callback")]
    [InlineData("vscode://vscode.github-authentication/did-authenticate")]
    public async Task What_desktop_and_web_clients_register_is_still_accepted(string redirectUri)
    {
        using var http = factory.CreateClient();

        var registered = await OAuthTestClient.RegisterAsync(http, new { redirect_uris = new[] { redirectUri }, token_endpoint_auth_method = "none" });

        Assert.Equal(redirectUri, Assert.Single(registered.GetProperty("redirect_uris").EnumerateArray()).GetString());
    }

    [Theory]
    [InlineData("http://localhost:43117/callback", "http://loopback:51999/callback")]
    [InlineData("http://localhost:43117/callback", "http://LOOPBACK:43117/callback")]
    [InlineData("http://[::1]:43117/callback", "http://[::1%251]:51999/callback")]
    [InlineData("http://127.0.0.1:43117/callback", "http://[::127.0.0.1]:51999/callback")]
    public async Task A_native_client_is_not_sent_back_to_a_host_that_only_uri_reads_as_loopback(string registered, string requested)
    {
        var oauth = new OAuthTestClient(factory, await factory.SignInAsync(DemoSeed.DemoEmail, DemoSeed.DemoPassword));
        var clientId = await oauth.RegisterPublicClientAsync(redirect: registered);

        using var response = await oauth.StartAsync(oauth.AuthorizeParameters(clientId, redirect: requested));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
        Assert.Contains("redirect_uri", await response.Content.ReadAsStringAsync());
        HostileAnswers.NoErrorLogs(factory.Logs);
    }

    [Theory]
    [InlineData("http://localhost:43117/callback", "http://localhost:51999/callback")]
    [InlineData("http://localhost:43117/callback", "http://LocalHost:51999/callback")]
    [InlineData("http://[::1]:43117/callback", "http://[::1]:51999/callback")]
    [InlineData("http://127.0.0.1:43117/callback", "http://127.0.0.1:51999/callback")]
    public async Task A_native_client_still_comes_back_on_any_loopback_port(string registered, string requested)
    {
        var oauth = new OAuthTestClient(factory, await factory.SignInAsync(DemoSeed.DemoEmail, DemoSeed.DemoPassword));
        var clientId = await oauth.RegisterPublicClientAsync(redirect: registered);

        using var page = await oauth.StartAsync(oauth.AuthorizeParameters(clientId, redirect: requested));

        Assert.True(page.StatusCode == HttpStatusCode.OK, await page.Content.ReadAsStringAsync());
    }
}
