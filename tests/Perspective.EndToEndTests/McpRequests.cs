using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Perspective.EndToEndTests;

/// <summary>Bare MCP requests with a bearer credential, to see whether a real host still accepts it.</summary>
public static class McpRequests
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };

    public static async Task<HttpStatusCode> ToolsListStatusAsync(string baseUrl, string bearer)
    {
        using var response = await Http.SendAsync(Request(baseUrl, bearer, """{"jsonrpc":"2.0","id":1,"method":"tools/list"}"""));
        return response.StatusCode;
    }

    /// <summary>The body of a tools/list answer: the tools this credential may see.</summary>
    public static async Task<string> ToolsListAsync(string baseUrl, string bearer)
    {
        using var response = await Http.SendAsync(Request(baseUrl, bearer, """{"jsonrpc":"2.0","id":1,"method":"tools/list"}"""));
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>Calls a tool; <see cref="ToolCall.Served"/> when the host answered 200 with a result that is not an error.</summary>
    public static async Task<ToolCall> CallToolAsync(string baseUrl, string bearer, string tool, object? arguments = null)
    {
        var body = JsonSerializer.Serialize(new { jsonrpc = "2.0", id = 1, method = "tools/call", @params = new { name = tool, arguments = arguments ?? new { } } });
        using var response = await Http.SendAsync(Request(baseUrl, bearer, body));
        return new ToolCall(response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    public sealed record ToolCall(HttpStatusCode Status, string Body)
    {
        public bool Served => Status == HttpStatusCode.OK && Body.Contains("\"result\"", StringComparison.Ordinal) &&
                              !Body.Contains("\"isError\":true", StringComparison.Ordinal);
    }

    private static HttpRequestMessage Request(string baseUrl, string bearer, string json)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"{baseUrl}/mcp")
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
        };
        request.Headers.Accept.ParseAdd("application/json, text/event-stream");
        request.Headers.Add("MCP-Protocol-Version", "2025-06-18");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        return request;
    }
}
