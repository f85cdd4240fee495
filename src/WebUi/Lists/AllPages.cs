namespace Perspective.WebUi.Lists;

/// <summary>Walks a paginated list RPC from its first page to its last, for views that show the whole list.</summary>
internal static class AllPages
{
    /// <summary>The largest page the list RPCs serve, so the walk takes as few calls as it can.</summary>
    public const int PageSize = 100;

    // Bounds the walk so a misbehaving server cannot keep the UI looping.
    private const int MaxPages = 20;

    /// <param name="readPage">Calls the RPC with a page size and a page token (empty for the first page).</param>
    /// <param name="items">The items of a response.</param>
    /// <param name="nextPageToken">The next_page_token of a response.</param>
    public static async Task<List<T>> ReadAsync<TResponse, T>(
        Func<int, string, Task<TResponse>> readPage, Func<TResponse, IEnumerable<T>> items, Func<TResponse, string> nextPageToken)
    {
        var all = new List<T>();
        var pageToken = "";
        for (var page = 0; page < MaxPages; page++)
        {
            var response = await readPage(PageSize, pageToken);
            all.AddRange(items(response));
            pageToken = nextPageToken(response);
            if (string.IsNullOrEmpty(pageToken))
            {
                break;
            }
        }

        return all;
    }
}
