namespace Perspective.Platform.Grpc;

/// <summary>
/// One page of a keyset-paged list: how many items it shows and the position it continues after,
/// from the request's page size and page token (see <see cref="Paging.Request"/>). The query fetches
/// <see cref="FetchCount"/> items after <see cref="After"/>: one more than the page shows, whose
/// presence says that a next page exists.
/// </summary>
public sealed class PageRequest<TCursor>(string list, PageTokenFormat<TCursor> format, int size, TCursor? after)
    where TCursor : class
{
    public int Size => size;

    /// <summary>Null for the first page.</summary>
    public TCursor? After => after;

    public int FetchCount => size + 1;

    /// <summary>The items the page shows: <paramref name="fetched"/> without the look-ahead item.</summary>
    public IEnumerable<T> Items<T>(IReadOnlyList<T> fetched) => fetched.Take(size);

    /// <summary>The token of the next page, or empty on the last page (AIP-158's <c>next_page_token</c>).</summary>
    public string NextPageToken<T>(IReadOnlyList<T> fetched, Func<T, TCursor> positionOf) =>
        fetched.Count > size ? format.Encode(list, positionOf(fetched[size - 1])) : "";
}
