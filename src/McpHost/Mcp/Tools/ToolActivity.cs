using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using Perspective.Activity.Recording;
using Perspective.Activity.Storage;
using Perspective.Platform.Storage;

namespace Perspective.McpHost.Mcp.Tools;

/// <summary>
/// What each credential did (shown as "Activity" on its key or app). A writing tool call that succeeded is
/// recorded at once, before it is answered: the credential, the tool, the workspace (its <c>workspace_id</c>
/// argument), the object (the <c>id</c> of the object the tool returns), the time, the client and its address.
/// A reading tool call is only counted in memory (<see cref="ReadCounter"/>), so reading requests still
/// write nothing to the database. Refused calls (read-only credential, bad arguments, errors) changed
/// nothing and are not recorded.
/// </summary>
public static class ToolActivity
{
    public static IMcpServerBuilder WithToolActivity(this IMcpServerBuilder mcp) =>
        mcp.WithRequestFilters(filters => filters.AddCallToolFilter(next => async (request, cancellationToken) =>
        {
            var result = await next(request, cancellationToken);
            if (result.IsError != true && request.MatchedPrimitive is McpServerTool tool && request.User?.FindCaller() is { } caller)
            {
                var credential = new ActivityCredential(CredentialKind(caller.Kind), caller.CredentialId);
                if (ToolAccess.IsWriting(tool.ProtocolTool))
                {
                    await RecordAsync(request.Services!, caller, credential, tool.ProtocolTool.Name, request.Params?.Arguments, result);
                }
                else
                {
                    request.Services!.GetRequiredService<ReadCounter>().Increment(credential, caller.UserId, tool.ProtocolTool.Name);
                }
            }

            return result;
        }));

    private static async Task RecordAsync(
        IServiceProvider services, McpCaller caller, ActivityCredential credential, string toolName,
        IDictionary<string, JsonElement>? arguments, CallToolResult result)
    {
        var http = services.GetRequiredService<IHttpContextAccessor>().HttpContext;

        // A writing tool that succeeded was given a workspace the caller may reach (it calls Require first).
        var workspaceId = arguments is not null && arguments.TryGetValue("workspace_id", out var value) &&
                          value.ValueKind == JsonValueKind.String && Guid.TryParse(value.GetString(), out var id)
            ? id
            : Guid.Empty;
        var call = new ToolCallRecord(
            credential, caller.UserId, toolName, workspaceId, ObjectId(result),
            http is null ? "" : McpRequestClient.Name(http),
            http is null ? "" : McpRequestClient.Address(http));
        try
        {
            // Not the request's token: the data has changed, so the record is written even when the client has gone.
            await services.GetRequiredService<ToolCallRecorder>().RecordAsync(call, CancellationToken.None);
        }
        catch (Exception e) when (DatabaseOutage.IsCause(e) || e is DbUpdateException)
        {
            // The change is made and answering with an error would invite the model to make it twice: answer, and tell the operator.
            services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ToolActivity)).LogWarning(
                e, "Could not record a call of {Tool} by {CredentialKind} {CredentialId}.", toolName, credential.Kind, credential.Id);
        }
    }

    /// <summary>The <c>id</c> of the object a writing tool returns (the created perspective), or null when it returns none.</summary>
    public static string? ObjectId(CallToolResult result)
    {
        if (result.StructuredContent is { ValueKind: JsonValueKind.Object } structured)
        {
            return Id(structured);
        }

        var text = string.Concat(result.Content.OfType<TextContentBlock>().Select(block => block.Text));
        try
        {
            return JsonNode.Parse(text) is JsonObject json && json["id"] is JsonValue idValue && idValue.TryGetValue<string>(out var objectId) ? objectId : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? Id(JsonElement json) =>
        json.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null;

    private static string CredentialKind(McpCredentialKind kind) => kind switch
    {
        McpCredentialKind.McpKey => CredentialKinds.McpKey,
        McpCredentialKind.LegacyToken => CredentialKinds.LegacyToken,
        _ => CredentialKinds.OAuth,
    };
}
