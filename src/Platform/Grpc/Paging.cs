using System.Buffers.Text;
using System.Text;
using System.Text.Json;

namespace Perspective.Platform.Grpc;

/// <summary>
/// Page sizes and opaque page tokens for every <c>List</c> RPC (AIP-158). A token is the
/// position after the last item returned, tagged with the list it belongs to, so a token from
/// one list is refused by another.
/// </summary>
public static class Paging
{
    /// <summary>The page size of every list RPC when the request leaves it 0, as the protos document.</summary>
    public const int DefaultPageSize = 50;

    /// <summary>The largest page of every list RPC; larger requests are clamped to it.</summary>
    public const int MaxPageSize = 100;

    private const string InvalidToken =
        "page_token is not valid. Pass the next_page_token of the previous response unchanged, or leave it empty for the first page.";

    /// <summary>
    /// Reads the <c>page_size</c> and <c>page_token</c> of a list RPC whose list is named <paramref name="list"/>:
    /// INVALID_ARGUMENT for a negative size or a token that list did not issue.
    /// </summary>
    public static PageRequest<TCursor> Request<TCursor>(int pageSize, string pageToken, string list, PageTokenFormat<TCursor> format)
        where TCursor : class
    {
        var size = PageSize(pageSize, DefaultPageSize, MaxPageSize);
        if (!format.TryDecode(pageToken, list, out var after))
        {
            GrpcErrors.InvalidArgument(InvalidToken);
        }

        return new PageRequest<TCursor>(list, format, size, after);
    }

    /// <summary>Validates <paramref name="requested"/>: 0 means the default, above the maximum is clamped, negative is refused.</summary>
    public static int PageSize(int requested, int defaultSize, int maxSize)
    {
        if (requested < 0)
        {
            GrpcErrors.InvalidArgument($"page_size must be 0 (for the default of {defaultSize}) or a positive number up to {maxSize}.");
        }

        return requested == 0 ? defaultSize : Math.Min(requested, maxSize);
    }

    public static string EncodeToken(string list, params string[] position)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(new[] { list }.Concat(position).ToArray());
        return Base64Url.EncodeToString(json);
    }

    /// <summary>Returns the position in <paramref name="token"/>, or null for an empty token (the first page).</summary>
    public static string[]? DecodeToken(string token, string list, int positionLength)
    {
        if (!TryDecodeToken(token, list, positionLength, out var position))
        {
            GrpcErrors.InvalidArgument(InvalidToken);
        }

        return position;
    }

    /// <summary>A time position written by <see cref="EncodeToken"/> as UTC ticks; INVALID_ARGUMENT when it is not one.</summary>
    public static DateTime DecodeTime(string position) =>
        TryDecodeTime(position, out var time) ? time : throw GrpcErrors.Rpc(global::Grpc.Core.StatusCode.InvalidArgument, InvalidToken);

    /// <summary>False when <paramref name="position"/> is not UTC ticks of a representable time.</summary>
    public static bool TryDecodeTime(string position, out DateTime time)
    {
        var valid = long.TryParse(position, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var ticks) &&
                    ticks <= DateTime.MaxValue.Ticks;
        time = valid ? new DateTime(ticks, DateTimeKind.Utc) : default;
        return valid;
    }

    /// <summary>The UTC ticks of <paramref name="time"/>, as a page token position.</summary>
    public static string EncodeTime(DateTime time) => time.Ticks.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>False for a token this list did not issue; <paramref name="position"/> is null for an empty token.</summary>
    public static bool TryDecodeToken(string? token, string list, int positionLength, out string[]? position)
    {
        position = null;
        if (string.IsNullOrEmpty(token))
        {
            return true;
        }

        try
        {
            var parts = JsonSerializer.Deserialize<string[]>(Base64Url.DecodeFromChars(token));
            if (parts is not null && parts.Length == positionLength + 1 && parts[0] == list && parts.All(p => p is not null))
            {
                position = parts[1..];
                return true;
            }
        }
        catch (Exception e) when (e is FormatException or JsonException or DecoderFallbackException)
        {
            // A token we did not issue.
        }

        return false;
    }
}
