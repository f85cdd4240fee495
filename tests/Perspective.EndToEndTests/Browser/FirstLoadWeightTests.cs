using System.Net;
using Microsoft.Playwright;
using Perspective.Tests.Shared;
using Xunit.Abstractions;
using Cookie = Microsoft.Playwright.Cookie;

namespace Perspective.EndToEndTests.Browser;

/// <summary>
/// What the settings UI costs on the wire, in bytes (never time): the MCP page of the published host, loaded
/// with an empty cache and again from the browser's cache, as Chromium's network log counts it.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class FirstLoadWeightTests(HostProcess host, BrowserFixture browser, ITestOutputHelper output) : IClassFixture<BrowserFixture>
{
    /// <summary>
    /// Everything the first load transfers: the page, the .NET WebAssembly runtime, the trimmed assemblies and
    /// the page's first gRPC-Web calls (about 2.7 MB in a Release publish, 3.07 MB before trimming). The runtime
    /// as the SDK ships it (dotnet.native.wasm, 0.98 MB in Brotli) and System.Private.CoreLib (0.52 MB) are more
    /// than half of it, and the blank Blazor template weighs 2.3 MB: see bench/results/2026-11-30-ui-2core.md.
    /// </summary>
    private const long FirstLoadBudget = 2_800_000;

    [Fact]
    public async Task The_mcp_page_loads_brotli_encoded_within_its_budget_and_again_almost_entirely_from_the_cache()
    {
        await using var context = await browser.Browser.NewContextAsync();
        await context.AddCookiesAsync(await SignedInCookiesAsync());

        var first = await LoadMcpPageAsync(context);
        var cached = await LoadMcpPageAsync(context);
        output.WriteLine($"First load: {first.NetworkRequests} requests, {first.TransferredBytes:N0} bytes transferred.");
        output.WriteLine($"Cached load: {cached.NetworkRequests} requests to the server, {cached.TransferredBytes:N0} bytes transferred.");
        foreach (var response in first.Responses.OrderByDescending(response => response.TransferredBytes).Take(10))
        {
            output.WriteLine($"  {response.TransferredBytes,9:N0}  {response.ContentEncoding ?? "identity",-8}  {new Uri(response.Url).AbsolutePath}");
        }

        Assert.True(first.TransferredBytes <= FirstLoadBudget, $"The first load transferred {first.TransferredBytes:N0} bytes; the budget is {FirstLoadBudget:N0}.");
        var framework = first.Responses.Where(response => new Uri(response.Url).AbsolutePath.StartsWith("/_framework/", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(framework);
        Assert.All(framework, response => Assert.Equal("br", response.ContentEncoding));
        Assert.DoesNotContain(framework, response => response.Url.Contains("/icudt", StringComparison.Ordinal));

        Assert.True(cached.TransferredBytes < first.TransferredBytes / 20,
            $"The cached load transferred {cached.TransferredBytes:N0} bytes, not under 5% of the first load's {first.TransferredBytes:N0}.");
        Assert.DoesNotContain(cached.Responses, response => response.Url.EndsWith(".wasm", StringComparison.Ordinal) && !response.FromCache);
    }

    /// <summary>Opens the MCP page in a new tab of <paramref name="context"/> and records its network until the page is ready and idle.</summary>
    private async Task<PageLoadRecorder> LoadMcpPageAsync(IBrowserContext context)
    {
        var page = await context.NewPageAsync();
        var recorder = await PageLoadRecorder.AttachAsync(page);
        await page.GotoAsync(host.BaseUrl + "/w/acme-research/settings/mcp");
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Create key" })).ToBeEnabledAsync(new() { Timeout = 60_000 });
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        await page.CloseAsync();
        return recorder;
    }

    /// <summary>The demo user's sign-in cookie, signed in outside the browser so that its cache stays empty.</summary>
    private async Task<IEnumerable<Cookie>> SignedInCookiesAsync()
    {
        var jar = new CookieContainer();
        using var http = host.CreateHttpClient(new HttpClientHandler { CookieContainer = jar, AllowAutoRedirect = false });
        using var signedIn = await SignInForm.SubmitAsync(http, DemoAccounts.Email, DemoAccounts.Password);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        return jar.GetAllCookies().Select(cookie => new Cookie { Name = cookie.Name, Value = cookie.Value, Url = host.BaseUrl });
    }
}
