using Microsoft.Playwright;
using Perspective.Tests.Shared;

namespace Perspective.EndToEndTests.Browser;

/// <summary>
/// The UI's gRPC-Web calls (made with the browser's fetch) when the network, a proxy or the sign-in fails, in
/// Debian's Chromium against the published host: the user reads what happened, can try again, and loses nothing.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class ServiceFailureTests(HostProcess host, BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private const string McpPath = "/w/acme-research/settings/mcp";
    private const string CreateCall = "**/perspective.keys.v1.McpKeyService/CreateMcpKey";
    private const string ListCall = "**/perspective.keys.v1.McpKeyService/ListMcpKeys";
    private static readonly LocatorAssertionsToBeVisibleOptions Patient = new() { Timeout = 60_000 };

    [Fact]
    public async Task A_create_that_never_reaches_the_service_says_so_keeps_the_form_and_works_when_tried_again()
    {
        var page = await SignedInMcpPageAsync();
        await page.RouteAsync(CreateCall, route => route.AbortAsync("internetdisconnected"));

        await page.GetByLabel("Key name").FillAsync("Offline attempt");
        await page.GetByLabel("Acme Research").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Create key" }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("The service could not be reached. Check your connection and try again.");
        await Assertions.Expect(page.GetByRole(AriaRole.Dialog)).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByLabel("Key name")).ToHaveValueAsync("Offline attempt");

        await page.UnrouteAsync(CreateCall);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create key" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Dialog)).ToContainTextAsync("will not show it again");
    }

    [Fact]
    public async Task A_proxy_error_page_instead_of_the_list_names_the_http_status_and_try_again_loads_the_list()
    {
        var context = await browser.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 } });
        var page = await context.NewPageAsync();
        await SignInAsync(page);
        await page.RouteAsync(ListCall, route => route.FulfillAsync(new() { Status = 502, ContentType = "text/html", Body = "<h1>502 Bad Gateway</h1>" }));

        await page.GotoAsync(host.BaseUrl + McpPath);

        var alert = page.GetByRole(AriaRole.Alert).Filter(new() { HasText = "HTTP 502" });
        await Assertions.Expect(alert).ToContainTextAsync("The service could not be reached (HTTP 502). Try again in a moment.", new() { Timeout = 60_000 });
        await page.UnrouteAsync(ListCall);
        await alert.GetByRole(AriaRole.Button, new() { Name = "Try again" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Your keys" })).ToBeVisibleAsync(Patient);
        await Assertions.Expect(alert).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task After_the_sign_in_cookie_is_gone_a_create_says_the_session_ended_and_links_to_sign_in_here()
    {
        var page = await SignedInMcpPageAsync();
        await page.Context.ClearCookiesAsync();

        await page.GetByLabel("Key name").FillAsync("After sign-out");
        await page.GetByLabel("Acme Research").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Create key" }).ClickAsync();

        var alert = page.GetByRole(AriaRole.Alert).Filter(new() { HasText = "Your session has ended." });
        await Assertions.Expect(alert).ToBeVisibleAsync(Patient);
        var signIn = alert.GetByRole(AriaRole.Link, new() { Name = "Sign in again" });
        Assert.Contains(Uri.EscapeDataString(McpPath), await signIn.GetAttributeAsync("href") ?? "", StringComparison.Ordinal);
        await Assertions.Expect(page.GetByRole(AriaRole.Dialog)).ToHaveCountAsync(0);
    }

    private async Task<IPage> SignedInMcpPageAsync()
    {
        var context = await browser.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 } });
        var page = await context.NewPageAsync();
        await SignInAsync(page);
        await page.GotoAsync(host.BaseUrl + McpPath);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Your keys" })).ToBeVisibleAsync(Patient);
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Create key" })).ToBeEnabledAsync();
        return page;
    }

    private async Task SignInAsync(IPage page)
    {
        await page.GotoAsync(host.BaseUrl + "/");
        await DemoSignIn.SubmitAsync(page);
        await Assertions.Expect(page.GetByRole(AriaRole.Navigation, new() { Name = "Sidebar" }).GetByText("Demo User")).ToBeVisibleAsync(Patient);
    }
}
