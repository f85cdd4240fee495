namespace Perspective.Platform.Grpc;

/// <summary>
/// Where a page of a list ordered newest first continues: the time and id of the last item returned
/// (the id orders items of the same time).
/// </summary>
public sealed record NewestFirstCursor(DateTime Time, string Id);

/// <summary>How the position of a keyset-paged list is written into a page token and read back from one.</summary>
/// <param name="length">How many values a position has.</param>
/// <param name="write">The values of a position.</param>
/// <param name="read">The position the values stand for, or null when they are not one this format writes.</param>
public sealed class PageTokenFormat<TCursor>(int length, Func<TCursor, string[]> write, Func<string[], TCursor?> read)
    where TCursor : class
{
    /// <summary>The token of the page after <paramref name="cursor"/> in <paramref name="list"/>.</summary>
    public string Encode(string list, TCursor cursor) => Paging.EncodeToken(list, write(cursor));

    /// <summary>False for a token <paramref name="list"/> did not issue; <paramref name="cursor"/> is null for an empty token (the first page).</summary>
    public bool TryDecode(string? token, string list, out TCursor? cursor)
    {
        cursor = null;
        if (!Paging.TryDecodeToken(token, list, length, out var position))
        {
            return false;
        }

        cursor = position is null ? null : read(position);
        return position is null || cursor is not null;
    }
}

/// <summary>The positions the platform's lists are paged by.</summary>
public static class PageTokenFormat
{
    /// <summary>A list ordered newest first: time (UTC ticks) and id.</summary>
    public static readonly PageTokenFormat<NewestFirstCursor> NewestFirst = new(
        2,
        cursor => [Paging.EncodeTime(cursor.Time), cursor.Id],
        position => Paging.TryDecodeTime(position[0], out var time) ? new NewestFirstCursor(time, position[1]) : null);

    /// <summary>A list ordered by one unique text (an email, a slug): that text.</summary>
    public static readonly PageTokenFormat<string> UniqueKey = new(1, key => [key], position => position[0]);
}
