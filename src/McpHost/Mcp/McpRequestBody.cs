using System.Buffers;
using System.Text.Json;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Server;
using Perspective.McpHost.Mcp.Authentication;
using Perspective.McpHost.Mcp.Tools;
using Perspective.Keys.Usage;

namespace Perspective.McpHost.Mcp;

/// <summary>
/// Reads an authenticated MCP request's body at most up to the limit (413 beyond it, however the
/// body is framed) and checks what the MCP server would otherwise fail on with a 500: the body must
/// be JSON (-32700), one message (-32600), an <c>initialize</c> request must name its protocol
/// version and a <c>tools/call</c> a tool this server has (-32602; the MCP server would log an
/// unknown tool as an unhandled error). The checked bytes are handed on, so the body is read once
/// from the network.
/// </summary>
public sealed class McpRequestBody(RequestDelegate next, IOptions<McpTransportOptions> options, IOptions<McpServerOptions> server)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var limit = options.Value.MaxRequestBodySize;
        MemoryStream body;
        try
        {
            body = await ReadAtMostAsync(context.Request.Body, context.Request.ContentLength, limit + 1, context.RequestAborted);
        }
        catch (IOException e)
        {
            // A body that arrives too slowly (Kestrel's MinRequestBodyDataRate), is malformed (bad chunking) or breaks
            // off: Kestrel's BadHttpRequestException is an IOException. The client's fault, not the host's: no error log.
            var status = e is BadHttpRequestException { StatusCode: >= 400 and < 500 } bad ? bad.StatusCode : StatusCodes.Status400BadRequest;
            await JsonRpcErrorResponse.WriteAsync(context, status, JsonRpcErrorResponse.TransportError, status == StatusCodes.Status408RequestTimeout
                ? "Request Timeout: the request body arrived too slowly. Send the JSON-RPC message at once."
                : "Bad Request: the request body could not be read.");
            return;
        }

        if (body.Length > limit)
        {
            await JsonRpcErrorResponse.WriteAsync(context, StatusCodes.Status413PayloadTooLarge, JsonRpcErrorResponse.TransportError,
                $"Payload Too Large: an MCP request body may be at most {limit} bytes.");
            return;
        }

        var facts = new RequestFacts();
        if (Problem(body.GetBuffer().AsMemory(0, (int)body.Length), facts) is { } problem)
        {
            // A well-formed request with wrong parameters is answered as the MCP server answers JSON-RPC
            // errors (200, the error in the body); a body that is no request at all is a 400.
            var status = problem.Code == JsonRpcErrorResponse.InvalidParams ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest;
            await JsonRpcErrorResponse.WriteAsync(context, status, problem.Code, problem.Message, problem.Id);
            return;
        }

        if (facts.ClientName is { } clientName)
        {
            McpRequestClient.Declare(context, clientName);
            if (context.User.Caller() is { Kind: McpCredentialKind.McpKey or McpCredentialKind.LegacyToken } user)
            {
                context.RequestServices.GetRequiredService<LastUsedTracker>().RecordDeclaredClient(
                    new UsedCredential(user.Kind == McpCredentialKind.LegacyToken, user.CredentialId), McpRequestClient.Address(context),
                    McpRequestClient.Name(context));
            }
        }

        // A read-only OAuth grant calling a tool that changes data is refused here, at the HTTP layer, with the
        // step-up challenge (the client can ask the user for mcp:write). A read-only key cannot step up: the MCP
        // server answers its call with a tool error (ToolAccess), which the model reads.
        if (facts.Writing is { } tool && context.User.Caller() is { MayWrite: false, Kind: McpCredentialKind.OAuth } caller)
        {
            await context.RequestServices.GetRequiredService<McpChallenge>().WriteInsufficientScopeAsync(context, ToolAccess.ReadOnlyRefusal(caller, tool), facts.Id);
            return;
        }

        context.Request.Body = body;
        try
        {
            await next(context);
        }
        catch (JsonException) when (!context.Response.HasStarted)
        {
            // The MCP server binds a request's params to its protocol types (an initialize's capabilities,
            // say) and throws when their shape is wrong: that is the caller's mistake, not a 500.
            await JsonRpcErrorResponse.WriteAsync(context, StatusCodes.Status400BadRequest, JsonRpcErrorResponse.InvalidParams,
                "Invalid params: the request's params do not have the shape this method defines in the MCP specification.");
        }
    }

    // Duplicate member names are refused: readers disagree on which one wins ({"name":"a_list","name":"a_create"}).
    private static readonly JsonDocumentOptions StrictJson = new() { AllowDuplicateProperties = false };

    /// <summary>What the checks learned: the tool a <c>tools/call</c> names when that tool changes data, the request's id, and the name an <c>initialize</c> declares.</summary>
    private sealed class RequestFacts
    {
        public string? ClientName { get; set; }

        public string? Writing { get; set; }

        public JsonElement? Id { get; set; }
    }

    private (int Code, string Message, JsonElement? Id)? Problem(ReadOnlyMemory<byte> body, RequestFacts facts)
    {
        if (!System.Text.Unicode.Utf8.IsValid(body.Span))
        {
            return (JsonRpcErrorResponse.ParseError, "Parse error: the request body is not valid JSON in UTF-8.", null);
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, StrictJson);
        }
        catch (JsonException)
        {
            return (JsonRpcErrorResponse.ParseError, "Parse error: the request body is not JSON, or an object in it names a member twice.", null);
        }

        using (document)
        {
            var message = document.RootElement;
            if (message.ValueKind != JsonValueKind.Object)
            {
                return (JsonRpcErrorResponse.InvalidRequest, "Invalid Request: the body must be one JSON-RPC message (a JSON object).", null);
            }

            JsonElement? id = message.TryGetProperty("id", out var value) && value.ValueKind is JsonValueKind.String or JsonValueKind.Number
                ? value.Clone()
                : null;
            if (!message.TryGetProperty("method", out var method) || method.ValueKind != JsonValueKind.String)
            {
                return null;
            }

            var parameters = message.TryGetProperty("params", out var given) ? given : default;
            if (method.ValueEquals("initialize"))
            {
                if (!HasString(parameters, "protocolVersion", out _))
                {
                    return (JsonRpcErrorResponse.InvalidParams, "Invalid params: initialize needs params.protocolVersion, the MCP revision the client speaks (e.g. \"2025-11-25\").", id);
                }

                if (parameters.TryGetProperty("clientInfo", out var clientInfo) && HasString(clientInfo, "name", out var clientName))
                {
                    facts.ClientName = clientName;
                }
            }

            if (method.ValueEquals("tools/call"))
            {
                if (!(HasString(parameters, "name", out var name) && server.Value.ToolCollection?.TryGetPrimitive(name, out var tool) == true))
                {
                    return (JsonRpcErrorResponse.InvalidParams, $"Invalid params: unknown tool '{name}'. Call tools/list for the tools this server has.", id);
                }

                facts.Writing = ToolAccess.IsWriting(tool.ProtocolTool) ? name : null;
                facts.Id = id;
            }

            return null;
        }
    }

    private static bool HasString(JsonElement parameters, string name, out string value)
    {
        var found = parameters.ValueKind == JsonValueKind.Object && parameters.TryGetProperty(name, out var property) &&
                    property.ValueKind == JsonValueKind.String;
        value = found ? parameters.GetProperty(name).GetString()! : "";
        return found;
    }

    /// <summary>
    /// The body's first <paramref name="maximum"/> bytes, positioned at the start. On the hot path a
    /// request announces its length, so the buffer is allocated once at that size (never beyond the
    /// limit: the announcement is not trusted) and the reads go through a pooled chunk.
    /// </summary>
    private static async Task<MemoryStream> ReadAtMostAsync(Stream body, long? announcedLength, int maximum, CancellationToken cancellationToken)
    {
        var buffer = new MemoryStream(announcedLength is > 0 && announcedLength < maximum ? (int)announcedLength.Value : 1024);
        var chunk = ArrayPool<byte>.Shared.Rent(4096);
        try
        {
            while (buffer.Length < maximum)
            {
                var read = await body.ReadAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, maximum - buffer.Length)), cancellationToken);
                if (read == 0)
                {
                    break;
                }

                buffer.Write(chunk, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        buffer.Position = 0;
        return buffer;
    }
}
