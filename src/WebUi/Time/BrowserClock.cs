using Microsoft.JSInterop;

namespace Perspective.WebUi.Time;

/// <summary>The system clock in the browser's time zone.</summary>
/// <remarks>
/// The .NET WebAssembly runtime makes <see cref="TimeZoneInfo.Local"/> the browser's zone when the app ships
/// the time zone database; published with <c>InvariantTimezone</c> it ships none and Local is UTC wherever
/// the user is. So the browser is asked (<c>perspective.timeZone</c> in <c>js/perspective.js</c>): when Local
/// disagrees with the browser's current offset, the zone is looked up by the browser's name, and failing that
/// it is the browser's current offset, fixed. A fixed offset misses daylight-saving changes, but every time
/// shown names its offset (<see cref="LocalTime"/>), so it still names the right moment.
/// </remarks>
internal sealed class BrowserClock(TimeZoneInfo zone) : TimeProvider
{
    public override TimeZoneInfo LocalTimeZone => zone;

    public static BrowserClock Create(IJSRuntime js)
    {
        var browser = ((IJSInProcessRuntime)js).Invoke<BrowserZone>("perspective.timeZone");
        return new BrowserClock(Resolve(browser, TimeZoneInfo.Local, System.GetUtcNow()));
    }

    /// <summary>The zone to show times in, given what the browser says and what the runtime believes at <paramref name="now"/>.</summary>
    public static TimeZoneInfo Resolve(BrowserZone browser, TimeZoneInfo runtimeLocal, DateTimeOffset now)
    {
        var browserOffset = TimeSpan.FromMinutes(browser.OffsetMinutes);
        if (runtimeLocal.GetUtcOffset(now) == browserOffset)
        {
            return runtimeLocal;
        }

        if (browser.Name.Length > 0 && TimeZoneInfo.TryFindSystemTimeZoneById(browser.Name, out var named))
        {
            return named;
        }

        var name = browser.Name.Length > 0 ? browser.Name : LocalTime.Offset(browserOffset);
        return TimeZoneInfo.CreateCustomTimeZone(name, browserOffset, name, name);
    }
}

/// <summary>The browser's IANA zone name (may be empty) and its offset from UTC now, in minutes (east positive).</summary>
internal sealed record BrowserZone(string Name, int OffsetMinutes);
