using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Playwright;
using Perspective.Tests.Shared;

namespace Perspective.EndToEndTests.Browser;

/// <summary>
/// In Debian's Chromium against the real host: another site — another port of the same host, or
/// another host name — cannot show the consent page or the settings UI in a frame (so it cannot
/// trick a click on "Allow access"), the consent page's answer still reaches the app's redirect
/// URI, and using the whole UI raises not one content security policy violation.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class FramingAndContentSecurityPolicyTests(HostProcess host, BrowserFixture browser) : IClassFixture<BrowserFixture>, IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private static readonly LocatorAssertionsToBeVisibleOptions Patient = new() { Timeout = 60_000 };

    // Reports every violation Chromium raises in a document, with what was blocked and where, to the console.
    private const string ViolationReporter = """
        document.addEventListener('securitypolicyviolation', e =>
          console.error(`CSP violation: ${e.effectiveDirective} blocked ${e.blockedURI || '(inline)'} in ${e.documentURI} at ${e.sourceFile}:${e.lineNumber}`), true);
        """;

    private readonly List<IBrowserContext> contexts = [];
    private LoopbackSite site = null!;

    public async Task InitializeAsync() => site = await LoopbackSite.StartAsync();

    public async Task DisposeAsync()
    {
        foreach (var context in contexts)
        {
            await context.DisposeAsync();
        }

        await site.DisposeAsync();
    }

    [Theory]
    [InlineData("another port of the same host")]
    [InlineData("another host name")]
    public async Task The_consent_page_and_the_settings_ui_refuse_to_render_in_a_frame_of_another_site(string otherSite)
    {
        var (page, messages) = await SignedInPageAsync();
        var app = await RegisterAppAsync("Framing app", site.CallbackUrl);
        var consent = app.AuthorizeUrl("framed");
        // Unframed, the user would see the consent page with its Allow access button.
        await page.GotoAsync(consent);
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Allow access" })).ToBeVisibleAsync(Patient);
        string[] pages = [consent, $"{host.BaseUrl}/w/acme-research/settings/mcp", $"{host.BaseUrl}/", $"{host.BaseUrl}/account/login"];
        var origin = otherSite == "another host name" ? site.OtherHostUrl : site.SameHostUrl;

        // The last frame is a control: the host's JSON health answer renders in the very same kind of frame.
        await page.GotoAsync(origin + LoopbackSite.FramingPath([.. pages, $"{host.BaseUrl}/healthz"]));
        await Assertions.Expect(page.FrameLocator($"iframe[name=frame-{pages.Length}]").Locator("body")).ToContainTextAsync("Healthy", new() { Timeout = 60_000 });
        await WaitUntilAsync(() => Refusals(messages) >= pages.Length, () => $"Chromium reported {Refusals(messages)} refused frames of {pages.Length}:\n{string.Join('\n', messages)}");

        // Each refused frame holds Chromium's error page instead of the host's page.
        for (var index = 0; index < pages.Length; index++)
        {
            var frame = page.Frame($"frame-{index}");
            Assert.NotNull(frame);
            var content = await frame.ContentAsync();
            Assert.True(frame.Url.StartsWith("chrome-error:", StringComparison.Ordinal) && !content.Contains("Perspective", StringComparison.Ordinal),
                $"{pages[index]} rendered in a frame of {origin} (frame at {frame.Url}):\n{content}");
        }

        Assert.Equal(0, await page.FrameLocator("iframe[name=frame-0]").GetByRole(AriaRole.Button, new() { Name = "Allow access" }).CountAsync());
    }

    [Fact]
    public async Task Allow_and_deny_on_the_consent_page_reach_the_apps_loopback_redirect_uri()
    {
        var (page, messages) = await SignedInPageAsync();
        var app = await RegisterAppAsync("Loopback redirect app", site.CallbackUrl);

        var allowed = await ConsentAsync(page, app.AuthorizeUrl("allow-state"), "Allow access");
        var denied = await ConsentAsync(page, app.AuthorizeUrl("deny-state"), "Deny");

        Assert.Equal("allow-state", allowed["state"]);
        var accessToken = await app.ExchangeAsync(allowed["code"]);
        Assert.Equal(HttpStatusCode.OK, await McpRequests.ToolsListStatusAsync(host.BaseUrl, accessToken));
        Assert.Equal(("deny-state", "access_denied"), (denied["state"], denied["error"]));
        Assert.Empty(Violations(messages));
    }

    [Fact]
    public async Task Using_the_whole_ui_raises_no_content_security_policy_violation()
    {
        var (page, messages) = await SignedInPageAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Welcome, Demo User" })).ToBeVisibleAsync(Patient);

        // MCP: create a key, reveal and copy it, close, delete it.
        await page.GetByRole(AriaRole.Button, new() { Name = "Demo User" }).ClickAsync();
        await page.GetByRole(AriaRole.Menuitem, new() { Name = "MCP" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Your keys" })).ToBeVisibleAsync(Patient);
        await page.GetByLabel("Key name").FillAsync("CSP walk key");
        await page.GetByLabel("Northwind Product").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Create key" }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await Assertions.Expect(dialog).ToContainTextAsync("will not show it again");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Copy token" }).ClickAsync();
        await Assertions.Expect(dialog.GetByRole(AriaRole.Status).First).ToContainTextAsync("token copied to the clipboard");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Copy Claude Desktop configuration" }).ClickAsync();
        await dialog.GetByRole(AriaRole.Button, new() { Name = "I have copied the token" }).ClickAsync();
        var card = page.GetByRole(AriaRole.Article, new() { Name = "Key CSP walk key" });
        await card.GetByRole(AriaRole.Button, new() { Name = "Delete key CSP walk key" }).ClickAsync();
        await page.GetByRole(AriaRole.Alertdialog).GetByRole(AriaRole.Button, new() { Name = "Delete key" }).ClickAsync();
        await Assertions.Expect(card).ToHaveCountAsync(0);

        // Connect an app through the consent page, see it under Connected Apps, disconnect it.
        var app = await RegisterAppAsync("CSP walk app", site.CallbackUrl);
        // The access choice by keyboard: Read & write (what the app asked for) is preselected; an arrow key moves to Read only.
        var answer = await ConsentAsync(page, app.AuthorizeUrl("walk"), "Allow access", async () =>
        {
            var access = page.GetByRole(AriaRole.Group, new() { Name = "What this app may do" });
            await Assertions.Expect(access.GetByRole(AriaRole.Radio, new() { Name = "Read & write" })).ToBeCheckedAsync();
            await access.GetByRole(AriaRole.Radio, new() { Name = "Read & write" }).FocusAsync();
            await page.Keyboard.PressAsync("ArrowUp");
            await Assertions.Expect(access.GetByRole(AriaRole.Radio, new() { Name = "Read only" })).ToBeCheckedAsync();
            await Assertions.Expect(access.GetByRole(AriaRole.Radio, new() { Name = "Read only" }))
                .ToHaveAccessibleDescriptionAsync("List your workspaces and read perspectives and conversations.");
        });
        await app.ExchangeAsync(answer["code"]);
        await page.GotoAsync($"{host.BaseUrl}/w/acme-research/settings/mcp");
        await page.GetByRole(AriaRole.Button, new() { Name = "Demo User" }).ClickAsync();
        await page.GetByRole(AriaRole.Menuitem, new() { Name = "Connected Apps" }).ClickAsync();
        var appCard = page.GetByRole(AriaRole.Article, new() { Name = "Connected app CSP walk app" });
        await Assertions.Expect(appCard).ToBeVisibleAsync(Patient);
        await Assertions.Expect(appCard).ToContainTextAsync("Read only");
        await appCard.GetByRole(AriaRole.Button, new() { Name = "Disconnect CSP walk app" }).ClickAsync();
        await page.GetByRole(AriaRole.Alertdialog).GetByRole(AriaRole.Button, new() { Name = "Disconnect" }).ClickAsync();
        await Assertions.Expect(appCard).ToHaveCountAsync(0);

        // The workspace switcher and the workspace page, then sign out through the profile menu.
        await page.GetByRole(AriaRole.Button, new() { Name = "Workspace Acme Research" }).ClickAsync();
        await page.GetByRole(AriaRole.Menuitem, new() { Name = "Manage workspace" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Manage Acme Research" })).ToBeVisibleAsync(Patient);
        await page.GetByRole(AriaRole.Button, new() { Name = "Demo User" }).ClickAsync();
        await page.GetByRole(AriaRole.Menuitem, new() { Name = "Sign out" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync(Patient);
        var walk = Violations(messages);

        // The count means something: an inline style, which every policy here forbids, is reported.
        await page.EvaluateAsync("() => { const style = document.createElement('style'); style.textContent = 'h1 { color: red; }'; document.head.append(style); }");
        await WaitUntilAsync(() => Violations(messages).Count > walk.Count, () => "The injected inline style was not reported as a violation.");
        Assert.Empty(walk);
    }

    /// <summary>A fresh browser context signed in as the demo user, and every console message of its page.</summary>
    private async Task<(IPage Page, List<string> Messages)> SignedInPageAsync()
    {
        var context = await browser.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 } });
        contexts.Add(context);
        await context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"], new() { Origin = host.BaseUrl });
        await context.AddInitScriptAsync(ViolationReporter);
        var page = await context.NewPageAsync();
        var messages = new List<string>();
        page.Console += (_, message) =>
        {
            lock (messages)
            {
                messages.Add($"[{message.Type}] {message.Text}");
            }
        };

        await page.GotoAsync(host.BaseUrl + "/");
        await DemoSignIn.SubmitAsync(page);
        await Assertions.Expect(page.GetByRole(AriaRole.Navigation, new() { Name = "Sidebar" }).GetByText("Demo User")).ToBeVisibleAsync(Patient);
        return (page, messages);
    }

    /// <summary>Opens the consent page, presses <paramref name="button"/> and returns the answer the app's redirect URI received.</summary>
    private async Task<Dictionary<string, string>> ConsentAsync(IPage page, string authorizeUrl, string button, Func<Task>? choose = null)
    {
        await page.GotoAsync(authorizeUrl);
        if (choose is not null)
        {
            await choose();
        }

        await page.GetByRole(AriaRole.Button, new() { Name = button }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("^" + Regex.Escape(site.CallbackUrl) + "\\?"), new() { Timeout = 60_000 });
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "The app received the answer" })).ToBeVisibleAsync();
        return QueryHelpers.ParseQuery(new Uri(page.Url).Query).ToDictionary(p => p.Key, p => p.Value.ToString());
    }

    private async Task<OAuthApp> RegisterAppAsync(string name, string redirect)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        using var response = await http.PostAsJsonAsync($"{host.BaseUrl}/connect/register",
            new { client_name = name, redirect_uris = new[] { redirect }, token_endpoint_auth_method = "none" });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body);
        return new OAuthApp(host.BaseUrl, JsonDocument.Parse(body).RootElement.GetProperty("client_id").GetString()!, redirect);
    }

    /// <summary>
    /// How many frames of the host Chromium refused for its frame-ancestors directive ("Refused to frame
    /// '…' because an ancestor violates …" in older versions, "Framing '…' violates …" in newer ones).
    /// </summary>
    private int Refusals(List<string> messages)
    {
        lock (messages)
        {
            return messages.Count(m => m.Contains($"'{host.BaseUrl}/'", StringComparison.Ordinal) &&
                                       m.Contains("Content Security Policy directive: \"frame-ancestors 'none'\"", StringComparison.Ordinal));
        }
    }

    /// <summary>What Chromium (its own "Refused to …" messages) and the page's violation listener reported.</summary>
    private static List<string> Violations(List<string> messages)
    {
        lock (messages)
        {
            return messages.Where(m => m.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase) ||
                                       m.Contains("CSP violation", StringComparison.Ordinal)).ToList();
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition, Func<string> failure)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, failure());
            await Task.Delay(100);
        }
    }

    /// <summary>An MCP client registered with the host: its authorization requests (PKCE S256) and its code exchange.</summary>
    private sealed class OAuthApp(string baseUrl, string clientId, string redirect)
    {
        private readonly string verifier = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

        public string AuthorizeUrl(string state) => QueryHelpers.AddQueryString($"{baseUrl}/connect/authorize", new Dictionary<string, string?>
        {
            ["response_type"] = "code",
            ["client_id"] = clientId,
            ["redirect_uri"] = redirect,
            ["scope"] = "mcp",
            ["state"] = state,
            ["code_challenge"] = System.Buffers.Text.Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))),
            ["code_challenge_method"] = "S256",
            ["resource"] = $"{baseUrl}/mcp",
        });

        public async Task<string> ExchangeAsync(string code)
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            using var response = await http.PostAsync($"{baseUrl}/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "authorization_code",
                ["code"] = code,
                ["redirect_uri"] = redirect,
                ["client_id"] = clientId,
                ["code_verifier"] = verifier,
            }));
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, body);
            return JsonDocument.Parse(body).RootElement.GetProperty("access_token").GetString()!;
        }
    }
}
