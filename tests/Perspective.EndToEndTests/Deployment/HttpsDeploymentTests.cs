using System.Net;
using System.Text.Json;
using Microsoft.Playwright;
using Perspective.EndToEndTests.Browser;
using Perspective.EndToEndTests.Interop;
using Perspective.Tests.Shared;

namespace Perspective.EndToEndTests.Deployment;

/// <summary>
/// The published host in Production over TLS with Kestrel's own certificate (signed by a throwaway CA
/// made with openssl), as the README's deploy section runs it: the browser signs in and creates a key,
/// MCP clients use it and OAuth over https, every URL names the public origin, plain http is redirected,
/// and cookies and headers are what a deployment needs.
/// </summary>
public sealed class HttpsDeploymentTests(HttpsDeploymentTests.Deployment deployment) : IClassFixture<HttpsDeploymentTests.Deployment>
{
    private static readonly string InteropDirectory = Path.Combine(RepositoryPaths.Root, "tests", "interop");
    private static readonly LocatorAssertionsToBeVisibleOptions Patient = new() { Timeout = 30_000 };

    private HostProcess Host => deployment.Host;

    [Fact]
    public async Task A_browser_signs_in_over_https_creates_a_key_and_mcp_clients_use_it_over_https()
    {
        await using var context = await deployment.Browser!.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(Host.BaseUrl + "/w/acme-research/settings/mcp");
        await DemoSignIn.SubmitAsync(page);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Your keys" })).ToBeVisibleAsync(Patient);
        Assert.StartsWith(Host.BaseUrl + "/", page.Url);

        await page.GetByLabel("Key name").FillAsync("Over TLS");
        await page.GetByLabel("Acme Research").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Create key" }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await Assertions.Expect(dialog).ToContainTextAsync("will not show it again");
        var token = await dialog.GetByRole(AriaRole.Textbox, new() { Name = "Token" }).InputValueAsync();
        Assert.Contains(Host.BaseUrl + "/mcp", await dialog.InnerTextAsync());

        // The official TypeScript SDK and mcp-remote, trusting the private CA as users would (NODE_EXTRA_CA_CERTS).
        var result = await CommandLineTool.RunAsync("node", ["--test", "test/interop.test.mjs"], TimeSpan.FromMinutes(3), InteropDirectory,
            new Dictionary<string, string>
            {
                ["MCP_URL"] = $"{Host.BaseUrl}/mcp",
                ["MCP_TOKEN"] = token,
                ["NODE_EXTRA_CA_CERTS"] = TestCertificates.Instance.CaPath,
            });
        Assert.True(result.ExitCode == 0, $"The interop tests over https failed:\n{result.Output}\n{result.Error}");
        Assert.Contains("# pass 3", result.Output);
        Assert.Contains("acme-research", result.Output);
    }

    [Fact]
    public async Task An_mcp_client_connects_through_oauth_over_https()
    {
        var result = await CommandLineTool.RunAsync("node", ["--test", "test/oauth.test.mjs"], TimeSpan.FromMinutes(3), InteropDirectory,
            new Dictionary<string, string>
            {
                ["MCP_URL"] = $"{Host.BaseUrl}/mcp",
                ["DEMO_EMAIL"] = DemoAccounts.Email,
                ["DEMO_PASSWORD"] = DemoAccounts.Password,
                ["NODE_EXTRA_CA_CERTS"] = TestCertificates.Instance.CaPath,
            });

        Assert.True(result.ExitCode == 0, $"The OAuth interop test over https failed:\n{result.Output}\n{result.Error}");
        Assert.Contains("# pass 1", result.Output);
    }

    [Theory]
    [InlineData("/.well-known/oauth-authorization-server")]
    [InlineData("/.well-known/openid-configuration")]
    [InlineData("/.well-known/oauth-protected-resource/mcp")]
    public async Task Discovery_names_the_public_origin_whatever_host_header_reaches_it(string path)
    {
        using var http = Host.CreateHttpClient();
        foreach (var hostHeader in new[] { (string?)null, $"localhost:{new Uri(Host.BaseUrl).Port}" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Host = hostHeader;
            using var response = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);

            var urls = Urls(JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement).ToList();
            Assert.NotEmpty(urls);
            Assert.All(urls, url => Assert.StartsWith(Host.BaseUrl + "/", url));
        }
    }

    [Fact]
    public async Task A_host_header_naming_another_server_is_refused_except_by_health_probes()
    {
        using var http = Host.CreateHttpClient(TestCertificates.Instance.TrustingHandler(forgedHostHeader: true));
        foreach (var path in new[] { "/.well-known/oauth-authorization-server", "/account/login", "/connect/token" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Host = "evil.example";
            using var response = await http.SendAsync(request);

            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains("Host header", await response.Content.ReadAsStringAsync());
        }

        // A balancer probes by the backend's own address: health answers build no URL and stay reachable.
        foreach (var path in new[] { "/healthz/live", "/healthz/ready" })
        {
            using var probe = new HttpRequestMessage(HttpMethod.Get, path);
            probe.Headers.Host = "10.1.2.3:8443";
            using var response = await http.SendAsync(probe);

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    [Fact]
    public async Task Plain_http_is_redirected_to_the_https_origin_except_health_probes()
    {
        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(Host.PlainHttpUrl!) };

        using var page = await http.GetAsync("/w/acme-research/settings/mcp?tab=keys");
        Assert.Equal(HttpStatusCode.PermanentRedirect, page.StatusCode);
        Assert.Equal($"{Host.BaseUrl}/w/acme-research/settings/mcp?tab=keys", page.Headers.Location?.ToString());

        using var mcp = await http.PostAsync("/mcp", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.PermanentRedirect, mcp.StatusCode);
        Assert.Equal($"{Host.BaseUrl}/mcp", mcp.Headers.Location?.ToString());

        using var health = await http.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Fact]
    public async Task Cookies_are_secure_and_host_prefixed_and_responses_carry_hsts()
    {
        var cookies = new CookieContainer();
        using var http = Host.CreateHttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            CookieContainer = cookies,
            SslOptions = TestCertificates.Instance.TrustingHandler().SslOptions,
        });

        using var form = await http.GetAsync("/account/login");
        Assert.Equal("max-age=31536000", string.Join(",", form.Headers.GetValues("Strict-Transport-Security")));
        var antiforgery = Assert.Single(form.Headers.GetValues("Set-Cookie"), c => c.StartsWith("__Host-perspective.antiforgery=", StringComparison.Ordinal));
        AssertHostOnlySecure(antiforgery);

        var html = await form.Content.ReadAsStringAsync();
        using var signIn = await http.PostAsync(SignInForm.Path, SignInForm.Fields(html, DemoAccounts.Email, DemoAccounts.Password));
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        var session = Assert.Single(signIn.Headers.GetValues("Set-Cookie"), c => c.StartsWith("__Host-perspective.session=", StringComparison.Ordinal));
        AssertHostOnlySecure(session);
        Assert.Contains("httponly", session, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Native_grpc_works_over_tls_on_the_public_origin_with_reflection()
    {
        var buf = Path.Combine(RepositoryPaths.Root, "node_modules", ".bin", "buf");
        var result = await CommandLineTool.RunAsync(buf,
            ["curl", "--protocol", "grpc", "--cacert", TestCertificates.Instance.CaPath, "--list-services", Host.BaseUrl], TimeSpan.FromSeconds(60));

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains("perspective.keys.v1.McpKeyService", result.Output);
    }

    [Fact]
    public async Task A_client_that_does_not_trust_the_certificate_cannot_connect()
    {
        using var untrusting = new HttpClient();
        await Assert.ThrowsAsync<HttpRequestException>(() => untrusting.GetAsync(Host.BaseUrl + "/healthz"));
    }

    private static void AssertHostOnlySecure(string setCookie)
    {
        var attributes = setCookie.Split(';', StringSplitOptions.TrimEntries).Skip(1).Select(a => a.ToLowerInvariant()).ToList();
        Assert.Contains("secure", attributes);
        Assert.Contains("path=/", attributes);
        Assert.DoesNotContain(attributes, a => a.StartsWith("domain=", StringComparison.Ordinal));
    }

    private static IEnumerable<string> Urls(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().SelectMany(p => Urls(p.Value)),
        JsonValueKind.Array => element.EnumerateArray().SelectMany(Urls),
        JsonValueKind.String when element.GetString()!.StartsWith("http", StringComparison.Ordinal) => [element.GetString()!],
        _ => [],
    };

    /// <summary>One https host and a Chromium that trusts its certificate's key (and no other bypass).</summary>
    public sealed class Deployment : IAsyncLifetime
    {
        private IPlaywright? playwright;

        public HostProcess Host { get; } = HostProcess.OverHttps();

        public IBrowser? Browser { get; private set; }

        public async Task InitializeAsync()
        {
            await Host.StartAsync();
            playwright = await Playwright.CreateAsync();
            Browser = await BrowserFixture.LaunchChromiumAsync(playwright, $"--ignore-certificate-errors-spki-list={TestCertificates.Instance.ServerPublicKeyPin}");
        }

        public async Task DisposeAsync()
        {
            if (Browser is not null)
            {
                await Browser.DisposeAsync();
            }

            playwright?.Dispose();
            await Host.DisposeAsync();
        }
    }
}
