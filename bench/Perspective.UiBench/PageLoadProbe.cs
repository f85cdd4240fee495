using System.Net;
using System.Text.Json;
using Microsoft.Playwright;
using Perspective.Tests.Shared;
using Cookie = Microsoft.Playwright.Cookie;

namespace Perspective.UiBench;

/// <summary>What one load of a page costs: requests, transferred bytes, time to interactive.</summary>
public sealed record LoadFigures(int Requests, long TransferredBytes, double InteractiveMilliseconds, IReadOnlyList<LoadedResponse> Responses);

/// <summary>
/// The element whose appearance makes a page interactive: an element of <see cref="Selector"/> inside
/// <c>#app</c> whose text is <see cref="Text"/> and that is not disabled. Neither app prerenders, so
/// such an element exists only once the Blazor renderer runs in WebAssembly and has attached its events.
/// </summary>
public sealed record InteractiveMarker(string Selector, string Text);

/// <summary>
/// Loads a page in a browser context twice: first with an empty cache (a new context), then again in a
/// new tab of the same context (the browser's HTTP cache warm), as someone coming back to the settings.
/// Time to interactive is measured inside the page: from navigation start (<c>performance.timeOrigin</c>)
/// to the first DOM mutation after which the <see cref="InteractiveMarker"/> is there.
/// </summary>
public static class PageLoadProbe
{
    public static async Task<(LoadFigures First, LoadFigures Cached)> MeasureAsync(
        IBrowser browser, string url, InteractiveMarker marker, IEnumerable<Cookie> cookies)
    {
        await using var context = await browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 } });
        await context.AddCookiesAsync(cookies);
        await context.AddInitScriptAsync(MarkerScript(marker));
        var first = await LoadAsync(context, url);
        var cached = await LoadAsync(context, url);
        return (first, cached);
    }

    /// <summary>The sign-in cookie of the demo user on the host at <paramref name="baseUrl"/>, signed in through the form.</summary>
    public static async Task<IReadOnlyList<Cookie>> SignInAsync(string baseUrl)
    {
        var jar = new CookieContainer();
        using var http = new HttpClient(new SocketsHttpHandler { CookieContainer = jar, AllowAutoRedirect = false }) { BaseAddress = new Uri(baseUrl) };
        using var answer = await SignInForm.SubmitAsync(http, DemoAccounts.Email, DemoAccounts.Password);
        if (answer.StatusCode != HttpStatusCode.Redirect && answer.StatusCode != HttpStatusCode.Found)
        {
            throw new InvalidOperationException($"Signing in answered {(int)answer.StatusCode}.");
        }

        return [.. jar.GetAllCookies().Select(cookie => new Cookie { Name = cookie.Name, Value = cookie.Value, Url = baseUrl })];
    }

    private static async Task<LoadFigures> LoadAsync(IBrowserContext context, string url)
    {
        var page = await context.NewPageAsync();
        var recorder = await PageLoadRecorder.AttachAsync(page);
        await page.GotoAsync(url);
        await page.WaitForFunctionAsync("() => window.__interactiveAt !== undefined", null, new() { Timeout = 120_000 });
        var interactive = await page.EvaluateAsync<double>("() => window.__interactiveAt");
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        await page.CloseAsync();
        return new LoadFigures(recorder.NetworkRequests, recorder.TransferredBytes, interactive, recorder.Responses);
    }

    private static string MarkerScript(InteractiveMarker marker) => $$"""
        (() => {
          const selector = '#app ' + {{JsonSerializer.Serialize(marker.Selector)}};
          const text = {{JsonSerializer.Serialize(marker.Text)}};
          const there = () => [...document.querySelectorAll(selector)].some(e => e.textContent.trim() === text && !e.disabled);
          const observer = new MutationObserver(() => {
            if (window.__interactiveAt === undefined && there()) {
              window.__interactiveAt = performance.now();
              observer.disconnect();
            }
          });
          observer.observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
        })();
        """;
}
