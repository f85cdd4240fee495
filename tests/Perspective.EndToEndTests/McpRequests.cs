using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace Perspective.EndToEndTests;

/// <summary>A bare MCP request with a bearer credential, to see whether the real host still accepts it.</summary>
public static class McpRequests
{
    public static async Task<HttpStatusCode> ToolsListStatusAsync(string baseUrl, string bearer)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{baseUrl}/mcp")
        {
            Content = new StringContent("""{"jsonrpc":"2.0","id":1,"method":"tools/list"}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Accept.ParseAdd("application/json, text/event-stream");
        request.Headers.Add("MCP-Protocol-Version", "2025-06-18");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }
}
