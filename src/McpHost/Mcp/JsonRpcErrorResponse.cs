using System.Text.Json;

namespace Perspective.McpHost.Mcp;

/// <summary>
/// A JSON-RPC 2.0 error object as the HTTP response, for requests refused before the MCP server sees
/// them: clients that speak only JSON-RPC still get a message they can show.
/// </summary>
public static class JsonRpcErrorResponse
{
    public const int ParseError = -32700;
    public const int InvalidRequest = -32600;
    public const int InvalidParams = -32602;

    /// <summary>Not a JSON-RPC code: the one MCP servers use for transport-level refusals.</summary>
    public const int TransportError = -32000;

    public static async Task WriteAsync(HttpContext context, int statusCode, int code, string message, JsonElement? id = null)
    {
        context.Response.StatusCode = statusCode;
        context.Response.ContentType = "application/json";
        await using var json = new Utf8JsonWriter(context.Response.Body);
        json.WriteStartObject();
        json.WriteString("jsonrpc", "2.0");
        json.WritePropertyName("id");
        if (id is { } value)
        {
            value.WriteTo(json);
        }
        else
        {
            json.WriteNullValue();
        }

        json.WriteStartObject("error");
        json.WriteNumber("code", code);
        json.WriteString("message", message);
        json.WriteEndObject();
        json.WriteEndObject();
    }
}
