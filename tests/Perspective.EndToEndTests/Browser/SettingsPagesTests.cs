using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Perspective.EndToEndTests.Interop;
using Perspective.Tests.Shared;

namespace Perspective.EndToEndTests.Browser;

/// <summary>The MCP and Connected Apps pages in Debian's Chromium against the real host, screenshots kept as artifacts.</summary>
[Collection(EndToEndCollection.Name)]
public sealed partial class SettingsPagesTests(HostProcess host, BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private static readonly string Screenshots = Path.Combine(AppContext.BaseDirectory, "screenshots");
    private static readonly LocatorAssertionsToBeVisibleOptions Patient = new() { Timeout = 60_000 };

    [Fact]
    public async Task Both_paths_from_the_sidebar_lead_to_the_mcp_and_connected_apps_pages()
    {
        var page = await SignedInPageAsync("/");

        await page.GetByRole(AriaRole.Button, new() { Name = "Demo User" }).ClickAsync();
        await page.GetByRole(AriaRole.Menuitem, new() { Name = "MCP" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(McpPage());
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Your keys" })).ToBeVisibleAsync(Patient);

        await page.GetByRole(AriaRole.Button, new() { Name = "Workspace Acme Research" }).ClickAsync();
        await page.GetByRole(AriaRole.Menuitem, new() { Name = "Manage workspace" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/w/acme-research/settings$"));
        await page.GetByRole(AriaRole.Link, new() { Name = "MCP" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(McpPage());

        await page.GetByRole(AriaRole.Button, new() { Name = "Demo User" }).ClickAsync();
        await page.GetByRole(AriaRole.Menuitem, new() { Name = "Connected Apps" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/w/acme-research/settings/connected-apps$"));
        await page.GetByRole(AriaRole.Button, new() { Name = "Workspace Acme Research" }).ClickAsync();
        await page.GetByRole(AriaRole.Menuitem, new() { Name = "Manage workspace" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Connected Apps" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Connected Apps", Exact = true })).ToBeVisibleAsync(Patient);
    }

    [Fact]
    public async Task A_key_is_revealed_once_works_as_copied_and_is_gone_after_delete()
    {
        var page = await SignedInPageAsync("/w/northwind-product/settings/mcp");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Your keys" })).ToBeVisibleAsync(Patient);
        await ScreenshotAsync(page, "mcp-page");

        await page.GetByLabel("Key name").FillAsync("Browser test key");
        await page.GetByLabel("Acme Research").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Create key" }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await Assertions.Expect(dialog).ToContainTextAsync("will not show it again");
        var token = await dialog.GetByRole(AriaRole.Textbox, new() { Name = "Token" }).InputValueAsync();
        var claudeDesktop = await dialog.Locator("[data-snippet=claude-desktop]").InnerTextAsync();
        await ScreenshotAsync(page, "mcp-reveal-dialog");

        await CloseRevealUncopiedAsync(page);
        var card = page.GetByRole(AriaRole.Article, new() { Name = "Key Browser test key" });
        await Assertions.Expect(card).ToContainTextAsync($"pmk_…{token[^4..]}");
        Assert.DoesNotContain(token, await page.ContentAsync());
        Assert.DoesNotContain(token, await page.EvaluateAsync<string>("() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage })"));
        await ScreenshotAsync(page, "mcp-key-list");

        Assert.Equal(HttpStatusCode.OK, await McpRequests.ToolsListStatusAsync(host.BaseUrl, token));
        var snippet = await RunClaudeDesktopSnippetAsync(claudeDesktop);
        Assert.True(snippet.ExitCode == 0, $"The Claude Desktop snippet did not work:\n{snippet.Output}\n{snippet.Error}");

        await card.GetByRole(AriaRole.Button, new() { Name = "Delete key Browser test key" }).ClickAsync();
        var confirm = page.GetByRole(AriaRole.Alertdialog);
        await Assertions.Expect(confirm).ToContainTextAsync("lose access immediately");
        await ScreenshotAsync(page, "mcp-delete-confirmation");
        await confirm.GetByRole(AriaRole.Button, new() { Name = "Delete key" }).ClickAsync();
        await Assertions.Expect(card).ToHaveCountAsync(0);
        Assert.Equal(HttpStatusCode.Unauthorized, await McpRequests.ToolsListStatusAsync(host.BaseUrl, token));
    }

    [Fact]
    public async Task A_new_key_reads_only_for_30_days_unless_read_and_write_or_no_expiry_is_chosen()
    {
        var page = await SignedInPageAsync("/w/acme-research/settings/mcp");
        await Assertions.Expect(page.GetByRole(AriaRole.Radio, new() { Name = "Read only" })).ToBeCheckedAsync(new() { Timeout = 60_000 });
        await Assertions.Expect(page.GetByRole(AriaRole.Radio, new() { Name = "30 days" })).ToBeCheckedAsync();

        var readerToken = await CreateKeyAsync(page, "Browser reader", choices: []);
        var reader = page.GetByRole(AriaRole.Article, new() { Name = "Key Browser reader" });
        await Assertions.Expect(reader).ToContainTextAsync("Read only");
        // 30 days from creation reads as 30, or 29 should the day roll over while the test runs.
        await Assertions.Expect(reader).ToContainTextAsync(ThirtyDaysLeft());
        await ScreenshotAsync(page, "mcp-key-access-and-expiry");

        var writerToken = await CreateKeyAsync(page, "Browser writer", choices: ["Read & write", "No expiry"]);
        var writer = page.GetByRole(AriaRole.Article, new() { Name = "Key Browser writer" });
        await Assertions.Expect(writer).ToContainTextAsync("Read & write");
        await Assertions.Expect(writer).ToContainTextAsync("Never expires");

        Assert.DoesNotContain("perspective_create", await McpRequests.ToolsListAsync(host.BaseUrl, readerToken));
        Assert.Contains("perspective_create", await McpRequests.ToolsListAsync(host.BaseUrl, writerToken));
    }

    [Fact]
    public async Task A_refused_name_shows_the_services_message_next_to_the_field()
    {
        var page = await SignedInPageAsync("/w/acme-research/settings/mcp");
        for (var attempt = 0; attempt < 2; attempt++)
        {
            await page.GetByLabel("Key name").FillAsync("Twice the same");
            await page.GetByLabel("Acme Research").CheckAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Create key" }).ClickAsync();
            if (attempt == 0)
            {
                await CloseRevealUncopiedAsync(page);
            }
        }

        await Assertions.Expect(page.Locator("#key-name-error")).ToContainTextAsync("You already have a key named 'Twice the same'");
        await ScreenshotAsync(page, "mcp-name-error");
    }

    [Fact]
    public async Task Revoking_the_legacy_token_cuts_it_off()
    {
        var legacyToken = host.DemoLegacyToken;
        Assert.False(string.IsNullOrEmpty(legacyToken), "The host did not print the demo legacy token at first seeding.");
        Assert.Equal(HttpStatusCode.OK, await McpRequests.ToolsListStatusAsync(host.BaseUrl, legacyToken));
        var page = await SignedInPageAsync("/w/acme-research/settings/mcp");
        var legacy = page.Locator("section[aria-labelledby=legacy-heading]");
        await Assertions.Expect(legacy).ToContainTextAsync("All workspaces", new() { Timeout = 60_000 });
        await Assertions.Expect(legacy).ToContainTextAsync($"…{legacyToken[^4..]}");
        await ScreenshotAsync(page, "mcp-legacy-token");

        await legacy.GetByRole(AriaRole.Button, new() { Name = "Revoke" }).ClickAsync();
        await page.GetByRole(AriaRole.Alertdialog).GetByRole(AriaRole.Button, new() { Name = "Revoke token" }).ClickAsync();

        await Assertions.Expect(legacy).ToHaveCountAsync(0);
        Assert.Equal(HttpStatusCode.Unauthorized, await McpRequests.ToolsListStatusAsync(host.BaseUrl, legacyToken));
    }

    [Fact]
    public async Task Disconnecting_an_app_connected_through_oauth_cuts_it_off()
    {
        var accessToken = await OAuthClientFlow.ConnectAsync(host.BaseUrl, "Browser test app", DemoAccounts.Email, DemoAccounts.Password);
        Assert.Equal(HttpStatusCode.OK, await McpRequests.ToolsListStatusAsync(host.BaseUrl, accessToken));
        var page = await SignedInPageAsync("/w/acme-research/settings/connected-apps");
        var card = page.GetByRole(AriaRole.Article, new() { Name = "Connected app Browser test app" });
        await Assertions.Expect(card).ToContainTextAsync("127.0.0.1", new() { Timeout = 60_000 });
        await ScreenshotAsync(page, "connected-apps");

        await card.GetByRole(AriaRole.Button, new() { Name = "Disconnect Browser test app" }).ClickAsync();
        await page.GetByRole(AriaRole.Alertdialog).GetByRole(AriaRole.Button, new() { Name = "Disconnect" }).ClickAsync();

        await Assertions.Expect(card).ToHaveCountAsync(0);
        Assert.Equal(HttpStatusCode.Unauthorized, await McpRequests.ToolsListStatusAsync(host.BaseUrl, accessToken));
    }

    private async Task<IPage> SignedInPageAsync(string path)
    {
        var context = await browser.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 } });
        var page = await context.NewPageAsync();
        await page.GotoAsync(host.BaseUrl + path);
        await DemoSignIn.SubmitAsync(page);
        await Assertions.Expect(page.GetByRole(AriaRole.Navigation, new() { Name = "Sidebar" }).GetByText("Demo User")).ToBeVisibleAsync(Patient);
        return page;
    }

    /// <summary>Creates a key for Acme Research with the radio <paramref name="choices"/> checked; returns its token and closes the reveal.</summary>
    private static async Task<string> CreateKeyAsync(IPage page, string name, string[] choices)
    {
        await page.GetByLabel("Key name").FillAsync(name);
        await page.GetByLabel("Acme Research").CheckAsync();
        foreach (var choice in choices)
        {
            await page.GetByRole(AriaRole.Radio, new() { Name = choice }).CheckAsync();
        }

        await page.GetByRole(AriaRole.Button, new() { Name = "Create key" }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        var token = await dialog.GetByRole(AriaRole.Textbox, new() { Name = "Token" }).InputValueAsync();
        await CloseRevealUncopiedAsync(page);
        return token;
    }

    /// <summary>These tests read the token from its field rather than copying it, so closing the reveal asks first.</summary>
    private static async Task CloseRevealUncopiedAsync(IPage page)
    {
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "I have copied the token" }).ClickAsync();
        await page.GetByRole(AriaRole.Alertdialog).GetByRole(AriaRole.Button, new() { Name = "Close without copying" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Dialog)).ToHaveCountAsync(0);
    }

    private static async Task ScreenshotAsync(IPage page, string name)
    {
        Directory.CreateDirectory(Screenshots);
        // A modal dialog and its backdrop cover the window, not the whole page: then the window is what a person sees.
        var fullPage = await page.Locator("dialog[open]").CountAsync() == 0;
        if (fullPage)
        {
            // From the top, so the sidebar (as tall as the window) is drawn where it starts, not wherever the page was scrolled to.
            await page.EvaluateAsync("() => window.scrollTo(0, 0)");
        }

        await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, $"{name}.png"), FullPage = fullPage });
    }

    private static Task<CommandLineTool.Result> RunClaudeDesktopSnippetAsync(string configuration) =>
        CommandLineTool.RunAsync(
            "node",
            ["--test", "test/claude-desktop-snippet.test.mjs"],
            TimeSpan.FromMinutes(2),
            Path.Combine(RepositoryPaths.Root, "tests", "interop"),
            new Dictionary<string, string> { ["CLAUDE_DESKTOP_CONFIG"] = configuration });

    private static Regex McpPage() => McpPagePattern();

    [GeneratedRegex("/w/acme-research/settings/mcp$")]
    private static partial Regex McpPagePattern();

    [GeneratedRegex("Expires in (29|30) days")]
    private static partial Regex ThirtyDaysLeft();
}
