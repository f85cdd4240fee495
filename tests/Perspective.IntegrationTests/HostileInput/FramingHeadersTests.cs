using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Perspective.Identity.Seeding;
using Perspective.McpHost.Extensions;
using Perspective.Tests.Shared;

namespace Perspective.IntegrationTests.HostileInput;

/// <summary>
/// No page of the platform can be framed by another site (clickjacking the consent page's
/// "Allow access"), and every page runs under a content security policy: sign-in (first and later
/// visits), consent, sign-out, the authorization error page and the settings UI.
/// </summary>
public sealed class FramingHeadersTests(PlatformFactory factory) : IClassFixture<PlatformFactory>
{
    [Fact]
    public async Task The_sign_in_page_cannot_be_framed_on_the_first_visit_nor_on_later_ones()
    {
        using var client = factory.CreateBrowserLikeClient(new CookieContainer());

        using var first = await client.GetAsync("/account/login");
        using var second = await client.GetAsync("/account/login");
        using var failed = await SignInForm.SubmitAsync(client, DemoSeed.DemoEmail, "not-the-password", "/");

        foreach (var response in new[] { first, second, failed })
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            AssertCannotBeFramed(response);
            Assert.Equal("'self'", Directive(response, "form-action"));
            Assert.Null(Directive(response, "script-src"));
            Assert.Equal("'none'", Directive(response, "default-src"));
        }
    }

    [Fact]
    public async Task The_sign_out_page_cannot_be_framed()
    {
        var cookies = await factory.SignInAsync(DemoSeed.DemoEmail, DemoSeed.DemoPassword);
        using var client = factory.CreateBrowserLikeClient(cookies);

        using var response = await client.GetAsync("/account/logout");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        AssertCannotBeFramed(response);
    }

    [Fact]
    public async Task The_consent_page_cannot_be_framed_also_when_shown_again_after_a_refused_choice()
    {
        var oauth = new OAuthTestClient(factory, await factory.SignInAsync(DemoSeed.DemoEmail, DemoSeed.DemoPassword));
        var clientId = await oauth.RegisterPublicClientAsync("Framing test client");

        using var consent = await oauth.StartAsync(oauth.AuthorizeParameters(clientId));
        using var again = await oauth.ConsentAsync(consent, "allow", workspaceIds: []);

        foreach (var response in new[] { consent, again })
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains("Connect Framing test client?", await response.Content.ReadAsStringAsync());
            AssertCannotBeFramed(response);
            Assert.Null(Directive(response, "script-src"));
        }
    }

    /// <summary>
    /// Chromium applies form-action to the redirect that follows the consent form, so the page allows
    /// its own origin and where this request's answer goes — the redirect URI's origin, or its scheme
    /// where no origin can be written (a custom scheme, an IPv6 literal) — and nothing else.
    /// </summary>
    [Theory]
    [InlineData("http://127.0.0.1:43117/callback", "http://127.0.0.1:43117")]
    [InlineData("http://localhost:5173/oauth/callback?x=1", "http://localhost:5173")]
    [InlineData("http://[::1]:43117/callback", "http:")]
    [InlineData("https://client.example/oauth/callback", "https://client.example:443")]
    [InlineData("https://App.Example:8443/cb", "https://app.example:8443")]
    [InlineData("cursor://anysphere.cursor-retrieval/oauth/callback", "cursor:")]
    public async Task The_consent_form_may_lead_only_here_and_to_the_requests_redirect_uri(string redirect, string allowed)
    {
        var oauth = new OAuthTestClient(factory, await factory.SignInAsync(DemoSeed.DemoEmail, DemoSeed.DemoPassword));
        var clientId = await oauth.RegisterPublicClientAsync("Form action client", redirect);

        using var consent = await oauth.StartAsync(oauth.AuthorizeParameters(clientId, redirect));

        Assert.Equal(HttpStatusCode.OK, consent.StatusCode);
        AssertCannotBeFramed(consent);
        Assert.Equal($"'self' {allowed}", Directive(consent, "form-action"));
    }

    [Fact]
    public async Task The_authorization_error_page_keeps_its_own_stricter_policy()
    {
        using var client = factory.CreateClient();

        using var response = await client.GetAsync("/connect/authorize?client_id=unknown&response_type=code");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        AssertCannotBeFramed(response);
        Assert.Equal("'none'", Directive(response, "default-src"));
        Assert.Equal("'none'", Directive(response, "form-action"));
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/w/acme-research/settings/mcp")]
    [InlineData("/w/acme-research/settings/connected-apps")]
    [InlineData("/index.html")]
    [InlineData("/no/such/page")]
    public async Task The_settings_ui_cannot_be_framed_and_runs_under_the_blazor_policy(string path)
    {
        var cookies = await factory.SignInAsync(DemoSeed.DemoEmail, DemoSeed.DemoPassword);
        using var client = factory.CreateBrowserLikeClient(cookies);

        using var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("_framework/blazor.webassembly", html);
        AssertCannotBeFramed(response);
        // The plain policy but for one more script source: the hash of the page's import map, its one inline script.
        var importMap = ImportMapHash(html);
        Assert.Equal(
            SecurityHeaders.ContentSecurityPolicy.Replace("script-src 'self' 'wasm-unsafe-eval'", $"script-src 'self' 'wasm-unsafe-eval' {importMap}", StringComparison.Ordinal),
            Assert.Single(response.Headers.GetValues("Content-Security-Policy")));
        Assert.Equal($"'self' 'wasm-unsafe-eval' {importMap}", Directive(response, "script-src"));
        Assert.Equal("'self'", Directive(response, "style-src"));
        Assert.Equal("'self'", Directive(response, "connect-src"));
        Assert.Equal("no-cache", response.Headers.CacheControl?.ToString());
    }

    /// <summary>
    /// A reload asks the server for the page only: every script the page loads, and every module its import map
    /// names, has its hash in its name and is immutable for a year; the page is revalidated each time.
    /// </summary>
    [Fact]
    public async Task The_settings_uis_scripts_are_fingerprinted_and_cached_for_good()
    {
        // In Development MapStaticAssets sends no-cache for every file (for hot reload) unless told to cache as in Production.
        using var host = factory.WithWebHostBuilder(builder => builder.UseSetting("EnableStaticAssetsDevelopmentCaching", "true"));
        using var client = host.CreateBrowserLikeClient(await host.SignInAsync(DemoSeed.DemoEmail, DemoSeed.DemoPassword));
        using var page = await client.GetAsync("/w/acme-research/settings/mcp");
        var html = await page.Content.ReadAsStringAsync();

        var scripts = Regex.Matches(html, "<script src=\"([^\"]+)\"").Select(match => match.Groups[1].Value).ToList();
        var imports = JsonDocument.Parse(ImportMapText(html)).RootElement.GetProperty("imports").EnumerateObject()
            .ToDictionary(import => import.Name, import => import.Value.GetString()!);

        Assert.Equal(2, scripts.Count);
        Assert.Matches(@"^js/perspective\.[a-z0-9]+\.js$", scripts[0]);
        Assert.Matches(@"^_framework/blazor\.webassembly\.[a-z0-9]+\.js$", scripts[1]);
        Assert.Matches(@"^\./_framework/dotnet\.[a-z0-9]+\.js$", imports["./_framework/dotnet.js"]);
        Assert.Matches(@"^\./js/modal-dialog\.[a-z0-9]+\.js$", imports["./js/modal-dialog.js"]);
        foreach (var path in scripts.Concat(imports.Values.Select(value => value.TrimStart('.'))))
        {
            using var script = await client.GetAsync(path);
            Assert.True(script.StatusCode == HttpStatusCode.OK, $"{path}: {script.StatusCode}");
            Assert.Equal("max-age=31536000, immutable", script.Headers.CacheControl?.ToString());
        }
    }

    [Fact]
    public async Task A_page_with_its_own_policy_keeps_it_and_gets_frame_ancestors_as_a_second_policy()
    {
        using var host = factory.WithWebHostBuilder(builder => builder.ConfigureTestServices(services =>
            services.AddTransient<IStartupFilter, OwnPolicyPage>()));
        using var client = host.CreateClient();

        using var response = await client.GetAsync(OwnPolicyPage.Path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal([OwnPolicyPage.Policy, "frame-ancestors 'none'"], response.Headers.GetValues("Content-Security-Policy"));
        Assert.Equal(OwnPolicyPage.ReferrerPolicy, Assert.Single(response.Headers.GetValues("Referrer-Policy")));
        Assert.Equal("DENY", Assert.Single(response.Headers.GetValues("X-Frame-Options")));
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
    }

    [Theory]
    [InlineData("/healthz")]
    [InlineData("/.well-known/oauth-authorization-server")]
    [InlineData("/css/app.css")]
    [InlineData("/_content/Perspective.Identity/account.css")]
    [InlineData("/no-such-file.js")]
    public async Task Other_responses_are_not_sniffed(string path)
    {
        using var client = factory.CreateClient();

        using var response = await client.GetAsync(path);

        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.NotEqual("text/html", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task The_mcp_endpoint_is_not_sniffed_either()
    {
        using var client = factory.CreateClient();

        using var response = await client.PostAsync("/mcp", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
    }

    /// <summary>Test configuration only: an HTML page at the end of the pipeline that sets its own policy without frame-ancestors.</summary>
    private sealed class OwnPolicyPage : IStartupFilter
    {
        // A file-like path, so the UI's fallback (which takes every other path) leaves it to this page.
        public const string Path = "/own-policy.test";
        public const string Policy = "default-src 'none'; style-src 'self'";
        public const string ReferrerPolicy = "same-origin";

        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            next(app);
            app.Run(context =>
            {
                if (context.Request.Path != Path)
                {
                    context.Response.StatusCode = StatusCodes.Status404NotFound;
                    return Task.CompletedTask;
                }

                context.Response.ContentType = "text/html; charset=utf-8";
                context.Response.Headers.ContentSecurityPolicy = Policy;
                context.Response.Headers["Referrer-Policy"] = ReferrerPolicy;
                return context.Response.WriteAsync("<!DOCTYPE html><title>Own policy</title>");
            });
        };
    }

    /// <summary>An HTML page that forbids every framing, is not sniffed and sends no referrer.</summary>
    private static void AssertCannotBeFramed(HttpResponseMessage response)
    {
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("DENY", Assert.Single(response.Headers.GetValues("X-Frame-Options")));
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("no-referrer", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
        Assert.True(response.Headers.TryGetValues("Content-Security-Policy", out var policies), "The page has no content security policy.");
        Assert.Equal("'none'", Directive(response, "frame-ancestors"));
        Assert.DoesNotContain(policies, policy => policy.Contains("'unsafe-inline'", StringComparison.Ordinal) || policy.Contains("'unsafe-eval'", StringComparison.Ordinal));
    }

    /// <summary>The text of the page's one import map, as written (the SDK writes LF line ends).</summary>
    private static string ImportMapText(string html) =>
        Assert.Single(Regex.Matches(html, "<script type=\"importmap\">(.*?)</script>", RegexOptions.Singleline)).Groups[1].Value;

    /// <summary>The CSP hash source of the page's import map, computed here from the page as served.</summary>
    private static string ImportMapHash(string html) =>
        $"'sha256-{Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(ImportMapText(html))))}'";

    /// <summary>The sources of a directive in the response's (single) policy, one space apart, or null without it.</summary>
    private static string? Directive(HttpResponseMessage response, string name) =>
        Assert.Single(response.Headers.GetValues("Content-Security-Policy"))
            .Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(directive => directive.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(parts => parts[0] == name)
            .Select(parts => string.Join(' ', parts[1..]))
            .SingleOrDefault();
}
