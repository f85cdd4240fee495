using Google.Protobuf.WellKnownTypes;
using Perspective.WebUi.Time;

namespace Perspective.WebUi.Tests;

public sealed class LocalTimeTests
{
    private static readonly DateTimeOffset Moment = new(2026, 11, 30, 13, 5, 0, TimeSpan.Zero);

    [Fact]
    public void A_time_reads_in_the_browsers_zone_to_the_minute_with_its_offset()
    {
        Assert.Equal("2026-06-01 12:00 (UTC+02:00)", LocalTime.Format(Timestamp.FromDateTimeOffset(FixedClock.Now), new FixedClock()));
        Assert.Equal("Never", LocalTime.Format(null, new FixedClock()));
        Assert.Equal("2026-11-30 09:35 (UTC-03:30)", LocalTime.Format(Moment, In(TimeSpan.FromHours(-3.5))));
        Assert.Equal("2026-11-30 13:05 (UTC)", LocalTime.Format(Moment, In(TimeSpan.Zero)));
        Assert.Equal("2026-12-01 (UTC+11:00)", LocalTime.Date(Moment, In(TimeSpan.FromHours(11))));
    }

    [Fact]
    public void A_zone_with_daylight_saving_shows_the_offset_of_each_time()
    {
        var berlin = new ZoneClock(TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin"));

        Assert.Equal("2026-11-30 14:05 (UTC+01:00)", LocalTime.Format(Moment, berlin));
        Assert.Equal("2026-07-01 14:05 (UTC+02:00)", LocalTime.Format(new DateTimeOffset(2026, 7, 1, 12, 5, 0, TimeSpan.Zero), berlin));
    }

    [Fact]
    public void The_runtimes_zone_is_used_when_it_agrees_with_the_browser()
    {
        var berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

        Assert.Same(berlin, BrowserClock.Resolve(new BrowserZone("Europe/Berlin", 60), berlin, Moment));
    }

    [Fact]
    public void Without_time_zone_data_the_runtime_says_utc_and_the_browser_decides()
    {
        var named = BrowserClock.Resolve(new BrowserZone("Asia/Kolkata", 330), TimeZoneInfo.Utc, Moment);
        Assert.Equal(TimeSpan.FromMinutes(330), named.GetUtcOffset(Moment));

        // A zone the runtime cannot look up: the browser's offset now, fixed.
        var fixedOffset = BrowserClock.Resolve(new BrowserZone("Nowhere/Unknown", -150), TimeZoneInfo.Utc, Moment);
        Assert.Equal("2026-11-30 10:35 (UTC-02:30)", LocalTime.Format(Moment, new ZoneClock(fixedOffset)));
    }

    private static ZoneClock In(TimeSpan offset) => new(TimeZoneInfo.CreateCustomTimeZone("Test", offset, "Test", "Test"));

    private sealed class ZoneClock(TimeZoneInfo zone) : TimeProvider
    {
        public override TimeZoneInfo LocalTimeZone => zone;
    }
}
