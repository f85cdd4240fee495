using System.Globalization;
using Microsoft.Playwright;
using Perspective.Tests.Shared;

namespace Perspective.EndToEndTests.Browser;

/// <summary>
/// The UI ships without ICU globalization data (invariant culture) to weigh less, but keeps the time-zone
/// data: times must still read in the browser's own time zone (<c>TimeZoneInfo.Local</c> in WebAssembly).
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class BrowserTimeZoneTests(HostProcess host, BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    // UTC+14 all year (no daylight saving): a time shown in UTC, or in the machine's zone, cannot pass for it.
    private const string BrowserTimeZone = "Pacific/Kiritimati";

    [Fact]
    public async Task A_new_keys_creation_time_reads_in_the_browsers_time_zone()
    {
        await using var context = await browser.Browser.NewContextAsync(new() { TimezoneId = BrowserTimeZone, Locale = "de-DE" });
        var page = await context.NewPageAsync();
        await page.GotoAsync(host.BaseUrl + "/w/acme-research/settings/mcp");
        await DemoSignIn.SubmitAsync(page);

        await page.GetByLabel("Key name").FillAsync("Time zone key");
        await page.GetByLabel("Acme Research").CheckAsync();
        var before = DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(14));
        await page.GetByRole(AriaRole.Button, new() { Name = "Create key" }).ClickAsync(new() { Timeout = 60_000 });
        // The token is not copied here, so closing the reveal asks first.
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "I have copied the token" }).ClickAsync();
        await page.GetByRole(AriaRole.Alertdialog).GetByRole(AriaRole.Button, new() { Name = "Close without copying" }).ClickAsync();
        var after = DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(14));

        var card = page.GetByRole(AriaRole.Article, new() { Name = "Key Time zone key" });
        var created = await card.Locator("dt:text-is('Created') + dd").InnerTextAsync();
        // Shown with the zone's offset, e.g. "2026-12-01 11:05 (UTC+14:00)".
        Assert.EndsWith(" (UTC+14:00)", created, StringComparison.Ordinal);
        var shown = DateTime.ParseExact(created[..^" (UTC+14:00)".Length], "yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
        Assert.InRange(shown, before.DateTime.AddMinutes(-1), after.DateTime);

        await card.GetByRole(AriaRole.Button, new() { Name = "Delete key Time zone key" }).ClickAsync();
        await page.GetByRole(AriaRole.Alertdialog).GetByRole(AriaRole.Button, new() { Name = "Delete key" }).ClickAsync();
    }
}
