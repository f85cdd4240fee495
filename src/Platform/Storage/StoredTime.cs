namespace Perspective.Platform.Storage;

/// <summary>
/// The time to stamp a row with. PostgreSQL keeps microseconds, not .NET's 100 ns ticks, so times
/// are cut to the microsecond before they are stored: what an API returns on creation is then
/// exactly what it returns when read back later, and page tokens compare equal, on every provider.
/// </summary>
public static class StoredTime
{
    public static DateTime UtcNowForStorage(this TimeProvider clock)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        return now.AddTicks(-(now.Ticks % TimeSpan.TicksPerMicrosecond));
    }
}
