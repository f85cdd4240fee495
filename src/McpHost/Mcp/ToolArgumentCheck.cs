using System.Text.Json;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Perspective.McpHost.Mcp;

/// <summary>
/// Checks a tool call's arguments against the tool's input schema before the tool runs: a missing
/// required argument, a value of the wrong JSON type or text with NUL gets an error result a model can act on
/// ("workspace_id is required"), where the SDK's binder would throw and log an unhandled error.
/// </summary>
public static class ToolArgumentCheck
{
    public static IMcpServerBuilder WithToolArgumentChecks(this IMcpServerBuilder mcp) =>
        mcp.WithRequestFilters(filters => filters.AddCallToolFilter(next => async (request, cancellationToken) =>
            request.MatchedPrimitive is McpServerTool tool && Problem(tool.ProtocolTool.InputSchema, request.Params?.Arguments) is { } problem
                ? new CallToolResult { IsError = true, Content = [new TextContentBlock { Text = problem }] }
                : await next(request, cancellationToken)));

    /// <summary>Why <paramref name="arguments"/> do not fit <paramref name="schema"/>, or null when they do.</summary>
    public static string? Problem(JsonElement schema, IDictionary<string, JsonElement>? arguments)
    {
        arguments ??= new Dictionary<string, JsonElement>();
        if (schema.TryGetProperty("required", out var required) && required.ValueKind == JsonValueKind.Array)
        {
            foreach (var name in required.EnumerateArray().Select(n => n.GetString()).OfType<string>())
            {
                if (!arguments.TryGetValue(name, out var value) || value.ValueKind == JsonValueKind.Null)
                {
                    return $"{name} is required.";
                }
            }
        }

        if (!schema.TryGetProperty("properties", out var properties) || properties.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        foreach (var (name, value) in arguments)
        {
            if (properties.TryGetProperty(name, out var property) && !Fits(property, value))
            {
                return $"{name} must be {Describe(property)}.";
            }

            // Nothing stored contains NUL, and PostgreSQL cannot compare text with it.
            if (value.ValueKind == JsonValueKind.String && value.GetString()!.Contains('\0', StringComparison.Ordinal))
            {
                return $"{name} must not contain NUL characters (U+0000).";
            }
        }

        return null;
    }

    private static bool Fits(JsonElement property, JsonElement value) => Types(property).Any(type => type switch
    {
        "string" => value.ValueKind == JsonValueKind.String,
        "integer" => value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out _),
        "number" => value.ValueKind == JsonValueKind.Number,
        "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "null" => value.ValueKind == JsonValueKind.Null,
        "array" => value.ValueKind == JsonValueKind.Array,
        "object" => value.ValueKind == JsonValueKind.Object,
        _ => true,
    });

    private static string Describe(JsonElement property) => string.Join(" or ", Types(property).Select(type => type switch
    {
        "integer" => "a whole number",
        "null" => "null",
        _ => $"a {type}",
    }));

    // "type" is a name or a list of names; a property without one accepts anything.
    private static IEnumerable<string> Types(JsonElement property) =>
        !property.TryGetProperty("type", out var type) ? ["any"]
        : type.ValueKind == JsonValueKind.String ? [type.GetString()!]
        : type.ValueKind == JsonValueKind.Array ? type.EnumerateArray().Select(t => t.GetString()).OfType<string>()
        : ["any"];
}
