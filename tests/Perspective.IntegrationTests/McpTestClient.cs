using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Perspective.IntegrationTests;

/// <summary>The C# SDK's MCP client over Streamable HTTP against the in-process host.</summary>
public static class McpTestClient
{
    public static async Task<McpClient> ConnectAsync(WebApplicationFactory<Program> host, string token, string? protocolVersion = null)
    {
        var transport = new HttpClientTransport(
            new HttpClientTransportOptions
            {
                Endpoint = new Uri(host.Server.BaseAddress, "mcp"),
                TransportMode = HttpTransportMode.StreamableHttp,
                AdditionalHeaders = new Dictionary<string, string> { ["Authorization"] = $"Bearer {token}" },
            },
            host.CreateClient());
        return await McpClient.CreateAsync(transport, new McpClientOptions { ProtocolVersion = protocolVersion });
    }

    /// <summary>The HTTP status of a bare tools/list request with <paramref name="authorization"/> (null: no header).</summary>
    public static async Task<HttpStatusCode> StatusAsync(WebApplicationFactory<Program> host, string? authorization)
    {
        using var http = host.CreateClient();
        using var response = await http.SendAsync(ToolsListRequest(authorization));
        return response.StatusCode;
    }

    public static HttpRequestMessage ToolsListRequest(string? authorization)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/mcp")
        {
            Content = new StringContent("""{"jsonrpc":"2.0","id":1,"method":"tools/list"}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        request.Headers.Add("MCP-Protocol-Version", "2025-06-18");
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        return request;
    }

    /// <summary>Calls a tool that must succeed and returns its JSON result.</summary>
    public static async Task<JsonElement> CallAsync(this McpClient client, string tool, object? arguments = null)
    {
        var result = await client.CallToolAsync(tool, ToArguments(arguments));
        Assert.True(result.IsError != true, $"{tool} failed: {Text(result)}");
        return JsonDocument.Parse(Text(result)).RootElement.Clone();
    }

    /// <summary>Calls a tool that must fail and returns the error text the model would read.</summary>
    public static async Task<string> CallFailingAsync(this McpClient client, string tool, object? arguments = null)
    {
        var result = await client.CallToolAsync(tool, ToArguments(arguments));
        Assert.True(result.IsError == true, $"{tool} should have failed but returned {Text(result)}");
        return Text(result);
    }

    public static string Text(CallToolResult result) =>
        string.Concat(result.Content.OfType<TextContentBlock>().Select(block => block.Text));

    private static Dictionary<string, object?> ToArguments(object? arguments) =>
        arguments is null
            ? []
            : JsonSerializer.Deserialize<Dictionary<string, object?>>(JsonSerializer.Serialize(arguments))!;
}
