using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Perspective.McpHost.Mcp;

/// <summary>
/// Refuses what the MCP transport must not accept before anything is read or authenticated, each
/// with a precise status and a JSON-RPC error body: a foreign <c>Host</c> or <c>Origin</c> (403), a
/// POST that is not JSON (415) or that announces a body over the limit (413). Bodies that do not
/// announce their length are limited while they are read (<see cref="McpRequestBody"/>).
/// </summary>
public sealed class McpRequestGuard(RequestDelegate next, McpOrigins origins, IOptions<McpTransportOptions> options)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (!origins.IsPublicHost(request.Host))
        {
            await JsonRpcErrorResponse.WriteAsync(context, StatusCodes.Status403Forbidden, JsonRpcErrorResponse.TransportError,
                "Forbidden: the Host header does not name this server. Use the MCP endpoint URL shown in Settings → MCP.");
            return;
        }

        if (!origins.IsAllowedOrigin(request.Headers.Origin))
        {
            await JsonRpcErrorResponse.WriteAsync(context, StatusCodes.Status403Forbidden, JsonRpcErrorResponse.TransportError,
                "Forbidden: requests from this origin are not allowed. Browser-based MCP clients must be served from an allowed origin.");
            return;
        }

        if (HttpMethods.IsPost(request.Method))
        {
            if (!IsJson(request.ContentType))
            {
                await JsonRpcErrorResponse.WriteAsync(context, StatusCodes.Status415UnsupportedMediaType, JsonRpcErrorResponse.TransportError,
                    "Unsupported Media Type: send the JSON-RPC message with 'Content-Type: application/json'.");
                return;
            }

            if (request.ContentLength > options.Value.MaxRequestBodySize)
            {
                await JsonRpcErrorResponse.WriteAsync(context, StatusCodes.Status413PayloadTooLarge, JsonRpcErrorResponse.TransportError,
                    $"Payload Too Large: an MCP request body may be at most {options.Value.MaxRequestBodySize} bytes.");
                return;
            }
        }

        await next(context);
    }

    // application/json, optionally with a charset that must then be UTF-8 (JSON's only encoding on the wire).
    private static bool IsJson(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var mediaType) &&
        mediaType.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) &&
        (!mediaType.Charset.HasValue || mediaType.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase));
}
