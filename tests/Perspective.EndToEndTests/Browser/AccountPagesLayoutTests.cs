using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Playwright;
using Perspective.Tests.Shared;
using Xunit.Abstractions;

namespace Perspective.EndToEndTests.Browser;

/// <summary>
/// The server-rendered account pages (sign-in with its two kinds of error, the OAuth consent page, the
/// authorization error page, sign-out) at 320, 390 and 1280 px in Debian's Chromium against the published
/// host: in every state nothing scrolls sideways, every control lies inside the window and is reached with
/// Tab, and axe-core finds nothing. The app and the request are given long unbroken names and addresses,
/// as real ones can be. Screenshots at 390 px.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed partial class AccountPagesLayoutTests(HostProcess host, BrowserFixture browser, ITestOutputHelper output)
    : IClassFixture<BrowserFixture>, IAsyncLifetime
{
    // As long as a name without a space gets in practice (client_name allows 200 characters).
    private const string AppName = "PerspectiveResearchAssistant-DesktopEdition-ForAcmeResearch";
    private const int Narrow = 390;
    private static readonly string Screenshots = Path.Combine(AppContext.BaseDirectory, "screenshots");
    private static readonly LocatorAssertionsToBeVisibleOptions Patient = new() { Timeout = 60_000 };

    // Every control a person can operate, hidden inputs aside.
    private const string Controls = "a[href], button, input:not([type=hidden]), select, textarea";

    private LoopbackSite site = null!;

    public async Task InitializeAsync() => site = await LoopbackSite.StartAsync();

    public async Task DisposeAsync() => await site.DisposeAsync();

    [Theory]
    [InlineData(1280)]
    [InlineData(Narrow)]
    [InlineData(320)]
    public async Task Sign_in_consent_the_authorization_error_and_sign_out_fit_the_screen_work_by_keyboard_and_pass_axe(int width)
    {
        await using var context = await browser.Browser.NewContextAsync(new() { ViewportSize = new() { Width = width, Height = 800 } });
        var page = await context.NewPageAsync();

        await page.GotoAsync(host.BaseUrl + "/account/login");
        await Assertions.Expect(page).ToHaveTitleAsync("Sign in · Perspective");
        await CheckStateAsync(page, width, "sign-in");

        // Sent empty: a message under each field.
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.GetByText("Enter your email.")).ToBeVisibleAsync();
        await CheckStateAsync(page, width, "sign-in-missing-fields");

        // An unknown account (never the demo user's, which a wrong password would count towards locking out).
        await page.GetByLabel("Email").FillAsync($"nobody-at-{width}-px@perspective.local");
        await page.GetByLabel("Password").FillAsync("not-a-password");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("The email or password is incorrect.");
        await CheckStateAsync(page, width, "sign-in-failed");

        await DemoSignIn.SubmitAsync(page);
        await Assertions.Expect(page).Not.ToHaveURLAsync(LoginPage(), new() { Timeout = 60_000 });

        // The consent page, for an app with a long name that asks to read and write: Deny takes the answer back to it.
        var authorize = AuthorizeUrl(await RegisterAppAsync(), "layout");
        var consent = await page.GotoAsync(authorize);
        Assert.Equal((int)HttpStatusCode.OK, consent!.Status);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"Connect {AppName}?" })).ToBeVisibleAsync(Patient);
        await Assertions.Expect(page.GetByRole(AriaRole.Group, new() { Name = "What this app may do" })).ToBeVisibleAsync();
        await CheckStateAsync(page, width, "consent");
        await page.GetByRole(AriaRole.Button, new() { Name = "Deny" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("^" + Regex.Escape(site.CallbackUrl) + "\\?"), new() { Timeout = 60_000 });
        Assert.Equal("access_denied", QueryHelpers.ParseQuery(new Uri(page.Url).Query)["error"].ToString());

        // A request from a client that cannot be used, so the answer cannot go back to it: the error page, which
        // repeats the long client address in its description.
        var clientAddress = "https://localhost/clients/perspective-research-assistant-desktop-edition/oauth-client-metadata.json";
        var error = await page.GotoAsync(AuthorizeUrl(clientAddress, "layout"));
        Assert.Equal((int)HttpStatusCode.BadRequest, error!.Status);
        await Assertions.Expect(page).ToHaveTitleAsync("The app's request cannot be used · Perspective");
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync(clientAddress);
        await CheckStateAsync(page, width, "authorization-error");

        await page.GotoAsync(host.BaseUrl + "/account/logout");
        await Assertions.Expect(page).ToHaveTitleAsync("Sign out · Perspective");
        await CheckStateAsync(page, width, "sign-out");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync(Patient);
    }

    /// <summary>No sideways scrolling, every control inside the window and reached with Tab, no axe violation; a screenshot at 390 px.</summary>
    private async Task CheckStateAsync(IPage page, int width, string state)
    {
        var name = $"{state} at {width} px";
        var widths = await page.EvaluateAsync<int[]>("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]");
        output.WriteLine($"{name}: scrollWidth {widths[0]}, clientWidth {widths[1]}");
        Assert.True(widths[0] <= widths[1], $"In state '{name}' the page is {widths[0]} px wide in a {widths[1]} px window.");

        // Before the walk below leaves a focus ring on the last control.
        if (width == Narrow)
        {
            Directory.CreateDirectory(Screenshots);
            await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, $"{state}-{Narrow}.png"), FullPage = true });
        }

        await AccessibilityCheck.AssertNoViolationsAsync(page, name);
        await AssertControlsReachableAsync(page, name);
    }

    /// <summary>
    /// Each control lies horizontally inside the window, and Tab from the top of the page reaches every one
    /// (a radio group once: Tab stops on its checked radio, the arrow keys move within it).
    /// </summary>
    private static async Task AssertControlsReachableAsync(IPage page, string state)
    {
        var found = await page.EvaluateAsync<JsonElement>($$"""
            () => [...document.querySelectorAll('{{Controls}}')].map((element, index) => {
              element.dataset.layoutControl = element.type === 'radio' ? 'radio:' + element.name : String(index);
              const box = element.getBoundingClientRect();
              return { Key: element.dataset.layoutControl, Name: element.outerHTML.slice(0, 80), Left: box.left, Right: box.right,
                       Width: document.documentElement.clientWidth };
            })
            """);
        var controls = found.EnumerateArray().Select(c => new ControlBox(
            c.GetProperty("Key").GetString()!, c.GetProperty("Name").GetString()!,
            c.GetProperty("Left").GetDouble(), c.GetProperty("Right").GetDouble(), c.GetProperty("Width").GetDouble())).ToArray();
        foreach (var control in controls)
        {
            Assert.True(control.Left >= 0 && control.Right <= control.Width,
                $"In state '{state}' {control.Name} spans x = {control.Left} to {control.Right} in a {control.Width} px window.");
        }

        // Start where a person does: at the top, nothing focused.
        await page.EvaluateAsync("() => document.activeElement?.blur()");
        await page.Locator("p.brand").ClickAsync();
        var expected = controls.Select(c => c.Key).ToHashSet();
        var reached = new HashSet<string>();
        for (var press = 0; press < controls.Length + 2 && !expected.IsSubsetOf(reached); press++)
        {
            await page.Keyboard.PressAsync("Tab");
            if (await page.EvaluateAsync<string?>("() => document.activeElement?.dataset.layoutControl ?? null") is { } key)
            {
                reached.Add(key);
            }
        }

        Assert.True(expected.IsSubsetOf(reached),
            $"In state '{state}' Tab did not reach {string.Join(", ", controls.Where(c => !reached.Contains(c.Key)).Select(c => c.Name))}.");
    }

    private async Task<string> RegisterAppAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        using var response = await http.PostAsJsonAsync($"{host.BaseUrl}/connect/register",
            new { client_name = AppName, redirect_uris = new[] { site.CallbackUrl }, token_endpoint_auth_method = "none" });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("client_id").GetString()!;
    }

    /// <summary>An authorization request (PKCE S256) for the MCP resource with the legacy <c>mcp</c> scope, which asks to read and write.</summary>
    private string AuthorizeUrl(string clientId, string state) => QueryHelpers.AddQueryString($"{host.BaseUrl}/connect/authorize", new Dictionary<string, string?>
    {
        ["response_type"] = "code",
        ["client_id"] = clientId,
        ["redirect_uri"] = site.CallbackUrl,
        ["scope"] = "mcp",
        ["state"] = state,
        ["code_challenge"] = Base64Url(SHA256.HashData(RandomNumberGenerator.GetBytes(32))),
        ["code_challenge_method"] = "S256",
        ["resource"] = $"{host.BaseUrl}/mcp",
    });

    private static string Base64Url(byte[] bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);

    private static Regex LoginPage() => LoginPagePattern();

    [GeneratedRegex("/account/login")]
    private static partial Regex LoginPagePattern();

    private sealed record ControlBox(string Key, string Name, double Left, double Right, double Width);
}
