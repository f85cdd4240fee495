using ModelContextProtocol;
using Perspective.McpHost.Content;
using Perspective.Platform.Grpc;

namespace Perspective.McpHost.Mcp;

/// <summary>Page sizes and opaque page tokens for list tools, with errors a model can act on.</summary>
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

    public static NewestFirstCursor? Cursor(string? pageToken, string list)
    {
        var time = default(DateTime);
        if (!Paging.TryDecodeToken(pageToken, list, positionLength: 2, out var position) ||
            (position is not null && !Paging.TryDecodeTime(position[0], out time)))
        {
            throw new McpException("page_token is not valid. Pass the next_page_token from the previous call unchanged, or leave it out for the first page.");
        }

        return position is null ? null : new NewestFirstCursor(time, position[1]);
    }

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
        return Paging.EncodeToken(list, Paging.EncodeTime(time), id);
    }
}
