using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Perspective.Tests.Shared;
using Xunit.Abstractions;

namespace Perspective.EndToEndTests.HostileInput;

/// <summary>
/// Hostile requests to <c>/mcp</c> through the real host's Kestrel: an oversized chunked body, a foreign
/// <c>Host</c> or <c>Origin</c>, methods other than POST, and a body that drips in and stalls. Each gets its
/// status with a JSON-RPC error body, the host keeps serving, and nothing is logged as an error.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class McpHostileRequestTests(HostProcess host, ITestOutputHelper output)
{
    private static readonly TimeSpan StallBound = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Over a raw connection: HttpClient stops at the broken pipe when the server answers before the upload
    /// is done, but a client that reads while it writes (curl, a browser) sees the answer.
    /// </summary>
    [Fact]
    public async Task A_40_mb_chunked_body_is_413_and_the_host_keeps_serving()
    {
        var key = await CreateKeyAsync();
        var logged = host.Output.Length;

        var (head, body, sent) = await PostChunkedAsync(key, 40_000_000);

        output.WriteLine($"\"{head.Split("\r\n")[0]}\" after the client had written {sent:N0} of 40,000,000 body bytes.");
        Assert.StartsWith("HTTP/1.1 413", head);
        Assert.Contains("Content-Type: application/json", head, StringComparison.OrdinalIgnoreCase);
        Assert.StartsWith("Payload Too Large", JsonRpcError(body, new MediaTypeHeaderValue("application/json")));
        Assert.True(sent < 40_000_000, "The server only answered once the whole body was sent.");
        Assert.Equal(HttpStatusCode.OK, await McpRequests.ToolsListStatusAsync(host.BaseUrl, key));
        using var http = new HttpClient();
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(http, Post(key, ToolsList()))).Status);
        NoErrorLogged(logged);
    }

    [Theory]
    [InlineData("evil.example.com", "http://evil.example.com")]
    [InlineData("evil.example.com", null)]
    [InlineData(null, "http://evil.example.com")]
    public async Task A_foreign_host_or_origin_is_403_even_with_a_valid_key(string? hostHeader, string? origin)
    {
        var key = await CreateKeyAsync();
        using var request = Post(key, ToolsList());
        if (hostHeader is not null)
        {
            request.Headers.Host = hostHeader;
        }

        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }

        using var http = new HttpClient();

        var (status, body, contentType) = await SendAsync(http, request);

        Assert.True(status == HttpStatusCode.Forbidden, $"{(int)status}: {body}");
        Assert.StartsWith("Forbidden", JsonRpcError(body, contentType));
    }

    [Fact]
    public async Task Get_without_credentials_is_the_401_challenge_and_with_a_key_405_allowing_post()
    {
        var key = await CreateKeyAsync();
        using var http = new HttpClient();

        using var anonymous = await http.GetAsync($"{host.BaseUrl}/mcp");
        using var withKey = await http.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"{host.BaseUrl}/mcp") { Headers = { Authorization = new("Bearer", key) } });

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        var challenge = anonymous.Headers.WwwAuthenticate.ToString();
        Assert.StartsWith("Bearer", challenge);
        Assert.Contains($"resource_metadata=\"{host.BaseUrl}/.well-known/oauth-protected-resource/mcp\"", challenge);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, withKey.StatusCode);
        Assert.Equal(["POST"], withKey.Content.Headers.Allow);
        Assert.StartsWith("Method Not Allowed", JsonRpcError(await withKey.Content.ReadAsStringAsync(), withKey.Content.Headers.ContentType));
    }

    [Fact]
    public async Task A_body_that_drips_in_and_stalls_holds_up_no_one_and_is_ended_by_the_server()
    {
        var key = await CreateKeyAsync();
        Assert.Equal(HttpStatusCode.OK, await McpRequests.ToolsListStatusAsync(host.BaseUrl, key));
        var logged = host.Output.Length;
        var address = new Uri(host.BaseUrl);
        using var stalled = new TcpClient();
        await stalled.ConnectAsync(address.Host, address.Port);
        var stream = stalled.GetStream();
        var head = $"POST /mcp HTTP/1.1\r\nHost: {address.Authority}\r\nAuthorization: Bearer {key}\r\nContent-Type: application/json\r\n" +
                   "Accept: application/json, text/event-stream\r\nContent-Length: 1000\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head + """{"jsonrpc"""));
        var clock = Stopwatch.StartNew();
        var ended = ReadUntilClosedAsync(stream);

        var other = await McpRequests.ToolsListStatusAsync(host.BaseUrl, key);
        var otherTook = clock.Elapsed;
        var stillOpen = !ended.IsCompleted;
        var answer = await ended.WaitAsync(StallBound + TimeSpan.FromSeconds(5));
        var statusLine = answer.Split("\r\n")[0];

        output.WriteLine($"Another request answered {(int)other} after {otherTook.TotalMilliseconds:F0} ms while the stalled one was open; " +
                         $"the server ended the stalled one after {clock.Elapsed.TotalSeconds:F1} s with \"{statusLine}\".");
        Assert.Equal(HttpStatusCode.OK, other);
        Assert.True(stillOpen, "The stalled request had already ended when the other one was answered: nothing was shown to run beside it.");
        Assert.True(clock.Elapsed < StallBound, $"The stalled request was still open after {clock.Elapsed}.");
        Assert.StartsWith("HTTP/1.1 408", statusLine);
        Assert.Contains("\"jsonrpc\":\"2.0\"", answer);
        Assert.DoesNotContain("Exception", answer);
        NoErrorLogged(logged);
    }

    /// <summary>Everything the server sends until it closes the connection, or what it sent by <see cref="StallBound"/>.</summary>
    private static async Task<string> ReadUntilClosedAsync(NetworkStream stream)
    {
        var received = new MemoryStream();
        var buffer = new byte[4096];
        using var deadline = new CancellationTokenSource(StallBound);
        try
        {
            for (int read; (read = await stream.ReadAsync(buffer, deadline.Token)) > 0;)
            {
                received.Write(buffer, 0, read);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            // Past the bound, or reset by the server: what arrived is the answer.
        }

        return Encoding.UTF8.GetString(received.ToArray());
    }

    private async Task<string> CreateKeyAsync()
    {
        using var api = await PlatformApi.SignInAsync(host, DemoAccounts.Email, DemoAccounts.Password);
        return await api.CreateKeyAsync($"Hostile e2e {Guid.NewGuid():N}", "acme-research");
    }

    private HttpRequestMessage Post(string key, HttpContent content)
    {
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var request = new HttpRequestMessage(HttpMethod.Post, $"{host.BaseUrl}/mcp") { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        request.Headers.Accept.ParseAdd("application/json, text/event-stream");
        request.Headers.Add("MCP-Protocol-Version", "2025-06-18");
        return request;
    }

    private static StringContent ToolsList() => new("""{"jsonrpc":"2.0","id":2,"method":"tools/list"}""");

    private static async Task<(HttpStatusCode Status, string Body, MediaTypeHeaderValue? ContentType)> SendAsync(HttpClient http, HttpRequestMessage request)
    {
        using (request)
        {
            using var response = await http.SendAsync(request);
            return (response.StatusCode, await response.Content.ReadAsStringAsync(), response.Content.Headers.ContentType);
        }
    }

    /// <summary>The message of the JSON-RPC error <paramref name="body"/> holds (JSON, id null, the MCP transport code).</summary>
    private static string JsonRpcError(string body, MediaTypeHeaderValue? contentType)
    {
        Assert.Equal("application/json", contentType?.MediaType);
        var json = JsonDocument.Parse(body).RootElement;
        Assert.Equal("2.0", json.GetProperty("jsonrpc").GetString());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("id").ValueKind);
        Assert.Equal(-32000, json.GetProperty("error").GetProperty("code").GetInt32());
        return json.GetProperty("error").GetProperty("message").GetString()!;
    }

    /// <summary>No line the host wrote since <paramref name="from"/> is at error or critical level (console format "fail:"/"crit:").</summary>
    private void NoErrorLogged(int from)
    {
        var errors = host.Output[from..].Split('\n').Where(line => line.StartsWith("fail:", StringComparison.Ordinal) || line.StartsWith("crit:", StringComparison.Ordinal)).ToList();
        Assert.True(errors.Count == 0, $"The host logged errors:\n{host.Output[from..]}");
    }

    /// <summary>
    /// POSTs a chunked JSON body of <paramref name="length"/> bytes over a raw connection while reading the answer;
    /// returns the answer's head and (de-chunked) body and how many body bytes had been written when it arrived.
    /// </summary>
    private async Task<(string Head, string Body, long Sent)> PostChunkedAsync(string key, long length)
    {
        var address = new Uri(host.BaseUrl);
        var client = new TcpClient();
        await client.ConnectAsync(address.Host, address.Port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            $"POST /mcp HTTP/1.1\r\nHost: {address.Authority}\r\nAuthorization: Bearer {key}\r\nContent-Type: application/json\r\n" +
            "Accept: application/json, text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"));
        long sent = 0;
        var upload = Task.Run(async () =>
        {
            var data = new byte[64 * 1024];
            Array.Fill(data, (byte)'a');
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\",\"params\":{\"padding\":\""u8.CopyTo(data);
            try
            {
                while (Interlocked.Read(ref sent) < length)
                {
                    var size = (int)Math.Min(data.Length, length - sent);
                    await stream.WriteAsync(Encoding.ASCII.GetBytes($"{size:X}\r\n").Concat(data.Take(size)).Concat("\r\n"u8.ToArray()).ToArray());
                    Interlocked.Add(ref sent, size);
                }

                await stream.WriteAsync("0\r\n\r\n"u8.ToArray());
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
                // The server answered and stopped reading, or the test closed the connection after the answer.
            }
        });

        try
        {
            var (head, body) = await ReadResponseAsync(stream);
            return (head, body, Interlocked.Read(ref sent));
        }
        finally
        {
            client.Dispose();
            await upload.WaitAsync(TimeSpan.FromSeconds(30));
        }
    }

    /// <summary>One HTTP/1.1 response: its head, and its body (Content-Length or chunked), within <see cref="StallBound"/>.</summary>
    private static async Task<(string Head, string Body)> ReadResponseAsync(NetworkStream stream)
    {
        using var deadline = new CancellationTokenSource(StallBound);
        var received = new List<byte>();
        var buffer = new byte[16 * 1024];
        int headEnd;
        while ((headEnd = IndexOf(received, "\r\n\r\n"u8.ToArray())) < 0)
        {
            await ReadMoreAsync();
        }

        var head = Encoding.ASCII.GetString(received.GetRange(0, headEnd).ToArray());
        received.RemoveRange(0, headEnd + 4);
        var body = new List<byte>();
        if (head.Contains("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase))
        {
            while (true)
            {
                int lineEnd;
                while ((lineEnd = IndexOf(received, "\r\n"u8.ToArray())) < 0)
                {
                    await ReadMoreAsync();
                }

                var size = Convert.ToInt32(Encoding.ASCII.GetString(received.GetRange(0, lineEnd).ToArray()).Split(';')[0], 16);
                while (received.Count < lineEnd + 2 + size + 2)
                {
                    await ReadMoreAsync();
                }

                body.AddRange(received.GetRange(lineEnd + 2, size));
                received.RemoveRange(0, lineEnd + 2 + size + 2);
                if (size == 0)
                {
                    break;
                }
            }
        }
        else
        {
            var length = int.Parse(head.Split("\r\n").Single(h => h.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))["Content-Length:".Length..]);
            while (received.Count < length)
            {
                await ReadMoreAsync();
            }

            body.AddRange(received.GetRange(0, length));
        }

        return (head, Encoding.UTF8.GetString(body.ToArray()));

        async Task ReadMoreAsync()
        {
            var read = await stream.ReadAsync(buffer, deadline.Token);
            if (read == 0)
            {
                throw new IOException($"The server closed the connection after {received.Count} bytes of a response.");
            }

            received.AddRange(buffer.AsSpan(0, read));
        }
    }

    private static int IndexOf(List<byte> bytes, byte[] value) => CollectionsMarshal.AsSpan(bytes).IndexOf(value);
}
