using System.Text;
using System.Text.Json.Nodes;
using CsCheck;
using Microsoft.AspNetCore.Http;

namespace Perspective.IntegrationTests.HostileInput;

/// <summary>
/// Bounded property-based fuzzing of <c>/mcp</c> in process with a valid key: random JSON-RPC
/// messages (odd methods, ids, params, tool names and arguments) and byte-level mutations of valid
/// ones never get a 5xx and never log an error. A failure prints the CsCheck seed that replays it.
/// </summary>
public sealed class McpBodyFuzzTests(PlatformFactory factory) : IClassFixture<PlatformFactory>
{
    private const int Iterations = 400;

    private static readonly string[] Methods =
    [
        "initialize", "ping", "tools/list", "tools/call", "notifications/initialized", "notifications/cancelled", "logging/setLevel",
        "resources/list", "prompts/list", "completion/complete", "Tools/Call", " tools/call", "tools/call ", "TOOLS/LIST", "", "rpc.discover",
    ];

    private static readonly string[] ToolNames =
    [
        "workspace_list", "perspective_list", "perspective_get", "perspective_create", "conversation_list", "conversation_get",
        "Perspective_Create", " perspective_create", "perspective_create\n", "perspective_create\u200B", "no_such_tool", "",
    ];

    private static readonly string[] ArgumentNames = ["workspace_id", "perspective_id", "conversation_id", "title", "description", "status", "page_size", "page_token", "x"];

    private static readonly Gen<JsonNode?> Scalar = Gen.Frequency(
        (3, Gen.String[0, 30].Select(s => (JsonNode?)JsonValue.Create(s))),
        (2, Gen.OneOf("2025-06-18", "2025-11-25", "2026-07-28", "1999-01-01", "draft", "live", "00000000-0000-0000-0000-000000000000")
            .Select(s => (JsonNode?)JsonValue.Create(s))),
        (2, Gen.Long.Select(n => (JsonNode?)JsonValue.Create(n))),
        (1, Gen.Double.Select(d => double.IsFinite(d) ? (JsonNode?)JsonValue.Create(d) : JsonValue.Create(0))),
        (1, Gen.Bool.Select(b => (JsonNode?)JsonValue.Create(b))),
        (1, Gen.Const((JsonNode?)null)));

    private static readonly Gen<JsonNode?> Value = Gen.Recursive<JsonNode?>((depth, inner) => depth > 3
        ? Scalar
        : Gen.Frequency(
            (4, Scalar),
            (1, inner.Array[0, 4].Select(items => (JsonNode?)new JsonArray(items.Select(item => item?.DeepClone()).ToArray()))),
            (1, Gen.Select(Gen.OneOf(Gen.OneOf(ArgumentNames), Gen.String[0, 10]), inner).Array[0, 4].Select(Object))));

    private static readonly Gen<JsonNode?> Arguments =
        Gen.OneOf(Gen.Select(Gen.OneOf(ArgumentNames), Value).Array[0, 6].Select(Object), Value);

    private static readonly Gen<JsonNode?> Params = Gen.Frequency(
        (3, Gen.Select(Gen.OneOf(ToolNames), Arguments).Select(p => (JsonNode?)new JsonObject { ["name"] = p.Item1, ["arguments"] = p.Item2 })),
        (2, Gen.Select(Scalar, Value).Select(p => (JsonNode?)new JsonObject
        {
            ["protocolVersion"] = p.Item1, ["capabilities"] = p.Item2, ["clientInfo"] = new JsonObject { ["name"] = "fuzz", ["version"] = "1" },
        })),
        (1, Value));

    private static readonly Gen<string> Message =
        from jsonrpc in Gen.Frequency((6, Gen.Const<JsonNode?>("2.0")), (1, Scalar))
        from method in Gen.Frequency((6, Gen.OneOf(Methods)), (1, Gen.String[0, 20]))
        from id in Gen.Frequency((4, Gen.Int[0, 1000].Select(i => (JsonNode?)JsonValue.Create(i))), (2, Scalar), (1, Value))
        from parameters in Params
        from omit in Gen.Int[0, 15]
        select new JsonObject
        {
            ["jsonrpc"] = (omit & 1) == 0 ? jsonrpc?.DeepClone() : null,
            ["id"] = (omit & 2) == 0 ? id?.DeepClone() : null,
            ["method"] = (omit & 4) == 0 ? method : null,
            ["params"] = (omit & 8) == 0 ? parameters?.DeepClone() : null,
        }.ToJsonString();

    /// <summary>A valid message with bytes flipped, cut, duplicated or spliced in.</summary>
    private static readonly Gen<byte[]> Mutated =
        from message in Message
        from edits in Gen.Select(Gen.Int[0, 3], Gen.Int[0, 4096], Gen.Byte).Array[1, 4]
        select ByteMutations.Apply(Encoding.UTF8.GetBytes(message), edits);

    [Fact]
    public async Task No_json_rpc_message_yields_a_server_error()
    {
        var token = (await factory.CreateDemoKeyAsync("Fuzzed messages", "acme-research")).Token;

        await Message.SampleAsync(message => AssertNoServerErrorAsync(token, Encoding.UTF8.GetBytes(message)), iter: Iterations, threads: 1);
    }

    [Fact]
    public async Task No_mutated_message_yields_a_server_error()
    {
        var token = (await factory.CreateDemoKeyAsync("Mutated messages", "acme-research")).Token;

        await Mutated.SampleAsync(body => AssertNoServerErrorAsync(token, body), iter: Iterations, threads: 1,
            print: body => Convert.ToBase64String(body));
    }

    private static JsonNode? Object((string, JsonNode?)[] properties)
    {
        var result = new JsonObject();
        foreach (var (name, value) in properties)
        {
            result[name] = value?.DeepClone();
        }

        return result;
    }

    private async Task AssertNoServerErrorAsync(string token, byte[] body)
    {
        var logged = factory.Logs.Lines.Count;

        var response = (await factory.Server.SendAsync(http =>
        {
            http.Request.Method = HttpMethods.Post;
            http.Request.Path = "/mcp";
            http.Request.ContentType = "application/json";
            http.Request.ContentLength = body.Length;
            http.Request.Body = new MemoryStream(body);
            http.Request.Headers.Authorization = $"Bearer {token}";
            http.Request.Headers.Accept = "application/json, text/event-stream";
        })).Response;

        var errors = factory.Logs.Lines.Skip(logged)
            .Where(line => line.StartsWith("Error ", StringComparison.Ordinal) || line.StartsWith("Critical ", StringComparison.Ordinal)).ToList();
        Assert.True(response.StatusCode < 500 && errors.Count == 0, $"HTTP {response.StatusCode}; logged: {string.Join('\n', errors)}");
    }
}
