using ModelContextProtocol;
using Perspective.Platform.Grpc;

namespace Perspective.McpHost.Mcp;

/// <summary>
/// Page sizes for list tools, with errors a model can act on; page tokens are those of the list RPCs
/// (<see cref="PageTokenFormat.NewestFirst"/>).
/// </summary>
public static class ToolPaging
{
    public const int DefaultPageSize = 20;
    public const int MaxPageSize = 100;

    public static int PageSize(int? requested) => requested switch
    {
        null => DefaultPageSize,
        >= 1 and <= MaxPageSize => requested.Value,
        _ => throw new McpException($"page_size must be between 1 and {MaxPageSize}; leave it out for {DefaultPageSize}."),
    };

    public static NewestFirstCursor? Cursor(string? pageToken, string list) =>
        PageTokenFormat.NewestFirst.TryDecode(pageToken, list, out var after)
            ? after
            : throw new McpException("page_token is not valid. Pass the next_page_token from the previous call unchanged, or leave it out for the first page.");

    /// <summary>
    /// Drops the look-ahead item fetched beyond <paramref name="pageSize"/> and returns the token for the
    /// next page, or null when there is no look-ahead item (this is the last page).
    /// </summary>
    public static string? NextToken<T>(List<T> page, int pageSize, string list, Func<T, (DateTime Time, string Id)> position)
    {
        if (page.Count <= pageSize)
        {
            return null;
        }

        var (time, id) = position(page[pageSize - 1]);
        page.RemoveAt(pageSize);
        return PageTokenFormat.NewestFirst.Encode(list, new NewestFirstCursor(time, id));
    }
}
