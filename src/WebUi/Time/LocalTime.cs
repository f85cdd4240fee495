using System.Globalization;
using Google.Protobuf.WellKnownTypes;

namespace Perspective.WebUi.Time;

/// <summary>
/// How every time and date in the UI reads: in the browser's time zone (the <see cref="TimeProvider"/>'s),
/// to the minute (the precision of last-used times), with the UTC offset it was written in, so that no
/// reader has to guess the zone: "2026-11-30 14:05 (UTC+01:00)".
/// </summary>
internal static class LocalTime
{
    /// <summary>"2026-11-30 14:05 (UTC+01:00)"; "Never" when unset.</summary>
    public static string Format(Timestamp? timestamp, TimeProvider clock) =>
        timestamp is null ? "Never" : Format(timestamp.ToDateTimeOffset(), clock);

    /// <summary>"2026-11-30 14:05 (UTC+01:00)".</summary>
    public static string Format(DateTimeOffset time, TimeProvider clock)
    {
        var local = TimeZoneInfo.ConvertTime(time, clock.LocalTimeZone);
        return $"{local.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} ({Offset(local.Offset)})";
    }

    /// <summary>The day a time falls on where the user is: "2027-01-31 (UTC+01:00)".</summary>
    public static string Date(DateTimeOffset time, TimeProvider clock)
    {
        var local = TimeZoneInfo.ConvertTime(time, clock.LocalTimeZone);
        return $"{local.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)} ({Offset(local.Offset)})";
    }

    /// <summary>"UTC", "UTC+01:00", "UTC-03:30".</summary>
    public static string Offset(TimeSpan offset) =>
        offset == TimeSpan.Zero ? "UTC" : $"UTC{(offset < TimeSpan.Zero ? "-" : "+")}{offset.Duration().ToString(@"hh\:mm", CultureInfo.InvariantCulture)}";
}
