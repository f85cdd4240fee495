using System.Globalization;
using Google.Protobuf.WellKnownTypes;

namespace Perspective.WebUi.Components.Mcp;

/// <summary>How a new key's expiry is chosen: a preset lifetime, the end of a chosen day, or never.</summary>
internal enum ExpiryChoice
{
    SevenDays,
    ThirtyDays,
    NinetyDays,
    OneYear,
    Date,
    Never,
}

/// <summary>A preset lifetime offered for a new key.</summary>
internal sealed record ExpiryPreset(ExpiryChoice Choice, string Label, TimeSpan Lifetime);

/// <summary>
/// The expiry choices a new key may have under the platform's longest lifetime (GetMcpKeyPolicy), and the
/// expire_time each one asks the service for, from the browser's clock and time zone.
/// </summary>
internal sealed class KeyExpiry(TimeSpan? maxLifetime, TimeProvider clock)
{
    // A browser clock a little ahead of the server's must not push a preset equal to the limit past it.
    private static readonly TimeSpan ClockSkewMargin = TimeSpan.FromMinutes(5);

    private static readonly ExpiryPreset[] AllPresets =
    [
        new(ExpiryChoice.SevenDays, "7 days", TimeSpan.FromDays(7)),
        new(ExpiryChoice.ThirtyDays, "30 days", TimeSpan.FromDays(30)),
        new(ExpiryChoice.NinetyDays, "90 days", TimeSpan.FromDays(90)),
        new(ExpiryChoice.OneYear, "1 year", TimeSpan.FromDays(365)),
    ];

    /// <summary>The presets no longer than the platform allows.</summary>
    public IReadOnlyList<ExpiryPreset> Presets { get; } = AllPresets.Where(p => maxLifetime is not { } max || p.Lifetime <= max).ToList();

    /// <summary>False when the platform requires every new key to expire.</summary>
    public bool AllowsNever => maxLifetime is null;

    /// <summary>30 days, or the longest preset allowed when that is shorter; a date when no preset fits.</summary>
    public ExpiryChoice DefaultChoice =>
        Presets.Any(p => p.Choice == ExpiryChoice.ThirtyDays) ? ExpiryChoice.ThirtyDays
        : Presets.Count > 0 ? Presets[^1].Choice
        : ExpiryChoice.Date;

    /// <summary>"Keys on this platform expire within 90 days", when the platform sets a limit.</summary>
    public string? Hint => maxLifetime is { } max ? $"Keys on this platform expire within {Span(max)}." : null;

    /// <summary>The first day a key may be chosen to expire on: today, in the browser's time zone.</summary>
    public DateOnly FirstDate => DateOnly.FromDateTime(LocalNow.DateTime);

    /// <summary>The last day whose end lies within the platform's limit; null without a limit.</summary>
    public DateOnly? LastDate
    {
        get
        {
            if (Limit is not { } limit)
            {
                return null;
            }

            var lastDay = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(limit, clock.LocalTimeZone).DateTime);
            return EndOf(lastDay) <= limit ? lastDay : lastDay.AddDays(-1);
        }
    }

    /// <summary>The expire_time to send; null for no expiry (and for a date choice without a date, which the form catches first).</summary>
    public Timestamp? ExpireTime(ExpiryChoice choice, DateOnly? date)
    {
        if (choice == ExpiryChoice.Never || (choice == ExpiryChoice.Date && date is null))
        {
            return null;
        }

        if (choice == ExpiryChoice.Date)
        {
            return Timestamp.FromDateTimeOffset(EndOf(date!.Value));
        }

        var expires = clock.GetUtcNow() + AllPresets.Single(p => p.Choice == choice).Lifetime;
        return Timestamp.FromDateTimeOffset(Limit is { } limit && expires > limit ? limit : expires);
    }

    /// <summary>A date as the date input reads and writes it.</summary>
    public static string InputValue(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private DateTimeOffset LocalNow => TimeZoneInfo.ConvertTime(clock.GetUtcNow(), clock.LocalTimeZone);

    private DateTimeOffset? Limit => maxLifetime is { } max ? clock.GetUtcNow() + max - ClockSkewMargin : null;

    // A chosen date means "through that day" where the user is: its last second in the browser's time zone, as UTC.
    // The service stores expiry to the second, so 23:59:59 is the last moment the key still works.
    private DateTimeOffset EndOf(DateOnly date)
    {
        var lastSecond = date.ToDateTime(new TimeOnly(23, 59, 59), DateTimeKind.Unspecified);
        return new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(lastSecond, clock.LocalTimeZone), TimeSpan.Zero);
    }

    private static string Span(TimeSpan span) => span.TotalDays switch
    {
        1 => "1 day",
        >= 1 => $"{span.TotalDays.ToString("0.#", CultureInfo.InvariantCulture)} days",
        _ => span.TotalHours == 1 ? "1 hour" : $"{span.TotalHours.ToString("0.#", CultureInfo.InvariantCulture)} hours",
    };
}
