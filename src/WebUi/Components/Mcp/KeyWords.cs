using Google.Protobuf.WellKnownTypes;
using Perspective.Keys.V1;
using Perspective.WebUi.Time;

namespace Perspective.WebUi.Components.Mcp;

/// <summary>How a key's access, expiry and last use read on its card.</summary>
internal static class KeyWords
{
    // Closer than this an expiry reads as a count of days; further away, as its date.
    private static readonly TimeSpan RelativeUpTo = TimeSpan.FromDays(60);

    public static string Access(McpKeyAccess access) => access switch
    {
        McpKeyAccess.ReadOnly => "Read only",
        McpKeyAccess.ReadWrite => "Read & write",
        _ => "Unknown access",
    };

    /// <summary>
    /// "Expired" when the service says so (its clock decides, not the browser's); otherwise "Never expires",
    /// "Expires in 5 hours", "Expires in 3 days" or, when far, "Expires on 2027-01-31 (UTC+01:00)" in the browser's time zone.
    /// </summary>
    public static string Expiry(Timestamp? expireTime, bool expired, TimeProvider clock)
    {
        if (expired)
        {
            return "Expired";
        }

        if (expireTime is null)
        {
            return "Never expires";
        }

        var expires = expireTime.ToDateTimeOffset();
        var left = expires - clock.GetUtcNow();
        return left switch
        {
            _ when left < TimeSpan.FromHours(1) => "Expires within the hour",
            _ when left < TimeSpan.FromHours(2) => "Expires in 1 hour",
            _ when left < TimeSpan.FromDays(1) => $"Expires in {(int)left.TotalHours} hours",
            _ when left <= RelativeUpTo => Math.Round(left.TotalDays) == 1 ? "Expires in 1 day" : $"Expires in {Math.Round(left.TotalDays)} days",
            _ => $"Expires on {LocalTime.Date(expires, clock)}",
        };
    }

    /// <summary>"2026-05-06 09:08 (UTC+02:00) by claude-code from 203.0.113.7", leaving out what is not known; "Never" when unused.</summary>
    public static string LastUse(Timestamp? time, string client, string address, TimeProvider clock)
    {
        var words = LocalTime.Format(time, clock);
        if (time is not null && client.Length > 0)
        {
            words += $" by {client}";
        }

        if (time is not null && address.Length > 0)
        {
            words += $" from {address}";
        }

        return words;
    }
}
