using Microsoft.Playwright;
using Perspective.Tests.Shared;

namespace Perspective.EndToEndTests.Browser;

/// <summary>
/// The seed walk (sign in, MCP, a new key, Connected Apps, workspace settings, help) at desktop and phone widths:
/// nothing scrolls sideways (down to 320 px), menus work by keyboard alone, titles name the page and workspace,
/// times name their offset, and axe-core finds nothing in any state.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class ResponsiveLayoutTests(HostProcess host, BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private const int Narrow = 390;
    private const int Narrowest = 320;
    private static readonly string Screenshots = Path.Combine(AppContext.BaseDirectory, "screenshots");
    private static readonly LocatorAssertionsToBeVisibleOptions Patient = new() { Timeout = 60_000 };

    [Theory]
    [InlineData(1280)]
    [InlineData(Narrow)]
    public async Task The_seed_walk_fits_the_screen_works_by_keyboard_and_passes_axe(int width)
    {
        var page = await SignedInPageAsync(width, "/w/acme-research/settings/mcp");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Your keys" })).ToBeVisibleAsync(Patient);
        await Assertions.Expect(page).ToHaveTitleAsync("MCP · Acme Research · Perspective");
        await CheckStateAsync(page, width, "mcp-page");

        var name = $"Layout key {width}";
        await page.GetByLabel("Key name").FillAsync(name);
        await page.GetByLabel("Acme Research").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Create key" }).ClickAsync();
        var reveal = page.GetByRole(AriaRole.Dialog);
        await Assertions.Expect(reveal).ToContainTextAsync("will not show it again");
        await AssertOnScreenAsync(page, reveal);
        await CheckStateAsync(page, width, "mcp-reveal-dialog");
        await reveal.GetByRole(AriaRole.Button, new() { Name = "I have copied the token" }).ClickAsync();
        // The token was not copied, so closing asks first: a question that must fit the screen too.
        var notCopied = page.GetByRole(AriaRole.Alertdialog);
        await AssertOnScreenAsync(page, notCopied);
        await CheckStateAsync(page, width, "mcp-reveal-not-copied");
        await notCopied.GetByRole(AriaRole.Button, new() { Name = "Close without copying" }).ClickAsync();

        // The browser runs in Asia/Kolkata (UTC+05:30, no daylight saving): times are local and say so.
        var card = page.GetByRole(AriaRole.Article, new() { Name = $"Key {name}" });
        await Assertions.Expect(card).ToContainTextAsync("(UTC+05:30)");
        await card.GetByRole(AriaRole.Button, new() { Name = $"Delete key {name}" }).ClickAsync();
        var confirm = page.GetByRole(AriaRole.Alertdialog);
        await AssertOnScreenAsync(page, confirm);
        await CheckStateAsync(page, width, "mcp-delete-confirmation");
        await confirm.GetByRole(AriaRole.Button, new() { Name = "Delete key" }).ClickAsync();
        await Assertions.Expect(card).ToHaveCountAsync(0);

        // The workspace switcher by keyboard alone: open, move (wrapping), close, open at the end, follow.
        await OpenNavigationAsync(page, width);
        var switcher = page.GetByRole(AriaRole.Button, new() { Name = "Workspace Acme Research" });
        await switcher.FocusAsync();
        await Assertions.Expect(switcher).ToHaveAttributeAsync("aria-expanded", "false");
        await page.Keyboard.PressAsync("ArrowDown");
        await Assertions.Expect(switcher).ToHaveAttributeAsync("aria-expanded", "true");
        await Assertions.Expect(MenuItem(page, "Acme Research")).ToBeFocusedAsync();
        await CheckStateAsync(page, width, "workspace-menu-open");
        await page.Keyboard.PressAsync("ArrowUp");
        await Assertions.Expect(MenuItem(page, "Manage workspace")).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Home");
        await Assertions.Expect(MenuItem(page, "Acme Research")).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("End");
        await Assertions.Expect(MenuItem(page, "Manage workspace")).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Escape");
        await Assertions.Expect(page.GetByRole(AriaRole.Menu)).ToHaveCountAsync(0);
        await Assertions.Expect(switcher).ToBeFocusedAsync();
        await Assertions.Expect(switcher).ToHaveAttributeAsync("aria-expanded", "false");
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(MenuItem(page, "Acme Research")).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("ArrowUp");
        await Assertions.Expect(MenuItem(page, "Manage workspace")).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Enter");

        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Manage Acme Research" })).ToBeVisibleAsync(Patient);
        await Assertions.Expect(page).ToHaveTitleAsync("Workspace settings · Acme Research · Perspective");
        await CheckStateAsync(page, width, "workspace-settings");

        // The profile menu by keyboard alone: Space opens at the first item.
        await OpenNavigationAsync(page, width);
        var profile = page.GetByRole(AriaRole.Button, new() { Name = "Demo User" });
        await profile.FocusAsync();
        await page.Keyboard.PressAsync(" ");
        await Assertions.Expect(MenuItem(page, "MCP")).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("ArrowDown");
        await Assertions.Expect(MenuItem(page, "Connected Apps")).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Enter");

        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Connected Apps", Exact = true })).ToBeVisibleAsync(Patient);
        await Assertions.Expect(page).ToHaveTitleAsync("Connected Apps · Acme Research · Perspective");
        await CheckStateAsync(page, width, "connected-apps");

        await page.GetByRole(AriaRole.Link, new() { Name = "Learn more about connected apps" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(host.BaseUrl + "/help/mcp-keys.html");
        await Assertions.Expect(page).ToHaveTitleAsync("MCP keys · Help · Perspective");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Connected apps (OAuth)" })).ToBeVisibleAsync();
        await CheckStateAsync(page, width, "help-page");
    }

    [Fact]
    public async Task On_a_narrow_screen_a_menu_button_shows_the_navigation_and_escape_closes_it()
    {
        var page = await SignedInPageAsync(Narrow, "/w/acme-research/settings/mcp");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Your keys" })).ToBeVisibleAsync(Patient);
        var toggle = page.GetByRole(AriaRole.Button, new() { Name = "Menu" });
        var sidebar = page.GetByRole(AriaRole.Navigation, new() { Name = "Sidebar" });
        await Assertions.Expect(sidebar).ToBeHiddenAsync();
        await Assertions.Expect(toggle).ToHaveAttributeAsync("aria-controls", "sidebar");

        await toggle.FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(toggle).ToHaveAttributeAsync("aria-expanded", "true");
        await Assertions.Expect(sidebar).ToBeVisibleAsync();
        await CheckStateAsync(page, Narrow, "navigation-open");

        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.PressAsync("Escape");
        await Assertions.Expect(sidebar).ToBeHiddenAsync();
        await Assertions.Expect(toggle).ToHaveAttributeAsync("aria-expanded", "false");
        await Assertions.Expect(toggle).ToBeFocusedAsync();

        // At desktop width the sidebar is always there and the button is not.
        await page.SetViewportSizeAsync(1280, 900);
        await Assertions.Expect(sidebar).ToBeVisibleAsync();
        await Assertions.Expect(toggle).ToBeHiddenAsync();
    }

    [Theory]
    [InlineData(1280)]
    [InlineData(Narrow)]
    public async Task Before_the_runtime_starts_the_page_shows_its_frame_where_the_app_will_draw_it(int width)
    {
        var page = await SignedInPageAsync(width, "/w/acme-research/settings/mcp");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Your keys" })).ToBeVisibleAsync(Patient);
        var app = await FrameAsync(page, width);

        await page.RouteAsync("**/_framework/blazor.webassembly*.js", route => route.AbortAsync());
        await page.ReloadAsync();
        var loading = page.Locator("main[aria-busy=true]");
        await Assertions.Expect(loading).ToBeVisibleAsync();
        await Assertions.Expect(loading.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Loading Perspective…");
        await CheckStateAsync(page, width, "loading-frame");

        Assert.Equal(app, await FrameAsync(page, width));
    }

    [Theory]
    [InlineData(1280)]
    [InlineData(Narrow)]
    public async Task An_unknown_address_under_the_ui_shows_page_not_found_that_fits_passes_axe_and_leads_home(int width)
    {
        // Signed out, the host sends the unknown address to the sign-in page and back, as it does any page of the UI.
        const string path = "/w/acme-research/settings/no-such-page";
        var page = await SignedInPageAsync(width, path);
        await Assertions.Expect(page).ToHaveURLAsync(host.BaseUrl + path);
        var heading = page.GetByRole(AriaRole.Heading, new() { Name = "Page not found", Level = 1 });
        await Assertions.Expect(heading).ToBeVisibleAsync(Patient);
        await Assertions.Expect(page).ToHaveTitleAsync("Page not found · Perspective");
        await CheckStateAsync(page, width, "page-not-found");

        // Loaded afresh, the address is answered by the UI's fallback (index.html, 200), not by an error of the host.
        var response = await page.GotoAsync(host.BaseUrl + "/no-such-page");
        Assert.Equal(200, response!.Status);
        Assert.StartsWith("text/html", await response.HeaderValueAsync("content-type"));
        await Assertions.Expect(heading).ToBeVisibleAsync(Patient);
        await Assertions.Expect(page).ToHaveTitleAsync("Page not found · Perspective");

        await page.GetByRole(AriaRole.Link, new() { Name = "Back to your workspaces" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(host.BaseUrl + "/");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Welcome, Demo User" })).ToBeVisibleAsync(Patient);
        await Assertions.Expect(page).ToHaveTitleAsync("Your workspaces · Perspective");
    }

    private async Task<IPage> SignedInPageAsync(int width, string path)
    {
        var context = await browser.Browser.NewContextAsync(new()
        {
            ViewportSize = new() { Width = width, Height = 900 },
            TimezoneId = "Asia/Kolkata",
        });
        var page = await context.NewPageAsync();
        await page.GotoAsync(host.BaseUrl + path);
        await CheckStateAsync(page, width, "sign-in");
        await DemoSignIn.SubmitAsync(page);
        var signedIn = width > Narrow ? page.GetByRole(AriaRole.Navigation, new() { Name = "Sidebar" }).GetByText("Demo User") : page.GetByRole(AriaRole.Button, new() { Name = "Menu" });
        await Assertions.Expect(signedIn).ToBeEnabledAsync(new() { Timeout = 60_000 });
        return page;
    }

    private static async Task OpenNavigationAsync(IPage page, int width)
    {
        if (width > Narrow)
        {
            return;
        }

        var toggle = page.GetByRole(AriaRole.Button, new() { Name = "Menu" });
        await toggle.FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(toggle).ToHaveAttributeAsync("aria-expanded", "true");
    }

    private static ILocator MenuItem(IPage page, string name) =>
        page.GetByRole(AriaRole.Menuitem, new() { Name = name, Exact = true });

    /// <summary>No sideways scrolling (at a narrow width, also at 320 px) and no axe violation; a screenshot at 390 px.</summary>
    private static async Task CheckStateAsync(IPage page, int width, string state)
    {
        await AssertNoSidewaysScrollingAsync(page, state);
        await AccessibilityCheck.AssertNoViolationsAsync(page, $"{state} at {width} px");
        if (width == Narrow)
        {
            Directory.CreateDirectory(Screenshots);
            // A modal dialog, a menu or the opened navigation lies over the window, not the whole page (nor does the fixed
            // status line): then the window is what a person sees.
            var fullPage = await page.Locator("dialog[open], [role=menu], nav.sidebar.open").CountAsync() == 0;
            await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, $"{state}-{Narrow}.png"), FullPage = fullPage });
            await page.SetViewportSizeAsync(Narrowest, 900);
            await AssertNoSidewaysScrollingAsync(page, $"{state} at {Narrowest} px");
            await page.SetViewportSizeAsync(Narrow, 900);
        }
    }

    private static async Task AssertNoSidewaysScrollingAsync(IPage page, string state)
    {
        var widths = await page.EvaluateAsync<int[]>("() => [document.scrollingElement.scrollWidth, window.innerWidth]");
        var (scrollWidth, innerWidth) = (widths[0], widths[1]);
        Assert.True(scrollWidth <= innerWidth, $"In state '{state}' the page is {scrollWidth} px wide in a {innerWidth} px window.");
    }

    private static async Task AssertOnScreenAsync(IPage page, ILocator dialog)
    {
        var box = await dialog.BoundingBoxAsync() ?? throw new InvalidOperationException("The dialog is not displayed.");
        var viewport = page.ViewportSize!;
        Assert.True(box.X >= 0 && box.X + box.Width <= viewport.Width, $"The dialog spans x = {box.X} to {box.X + box.Width} in a {viewport.Width} px window.");
    }

    /// <summary>Where the frame's parts are: the sidebar (or the top bar on a narrow screen) and the main region.</summary>
    private static async Task<string> FrameAsync(IPage page, int width)
    {
        var bar = width > Narrow ? page.Locator("nav.sidebar") : page.Locator("header.topbar");
        var barBox = await bar.BoundingBoxAsync();
        var mainBox = await page.Locator("main.content").BoundingBoxAsync();
        return $"bar {barBox?.X},{barBox?.Y},{barBox?.Width},{barBox?.Height}; main starts at {mainBox?.X},{mainBox?.Y}";
    }
}
