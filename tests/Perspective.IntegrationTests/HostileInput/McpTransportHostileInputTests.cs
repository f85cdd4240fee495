using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Perspective.Keys.Tokens;
using Perspective.McpHost.Content;
using Perspective.McpHost.Mcp;

namespace Perspective.IntegrationTests.HostileInput;

public sealed class McpTransportHostileInputTests(PlatformFactory factory) : IClassFixture<PlatformFactory>
{
    [Theory]
    [InlineData("GET")]
    [InlineData("HEAD")]
    [InlineData("DELETE")]
    [InlineData("PUT")]
    public async Task Methods_other_than_post_are_405_with_a_key_and_the_401_challenge_without(string method)
    {
        var token = await KeyAsync();
        using var http = factory.CreateClient();

        using var anonymous = await http.SendAsync(new HttpRequestMessage(new HttpMethod(method), "/mcp"));
        using var withKey = await http.SendAsync(Authorized(new HttpRequestMessage(new HttpMethod(method), "/mcp"), token));

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Contains("resource_metadata=", anonymous.Headers.WwwAuthenticate.ToString());
        Assert.Equal(HttpStatusCode.MethodNotAllowed, withKey.StatusCode);
        Assert.Equal(["POST"], withKey.Content.Headers.Allow);
        if (method != "HEAD")
        {
            Assert.Contains("send JSON-RPC messages with POST", (await ErrorAsync(withKey)).Message);
        }
    }

    [Theory]
    [InlineData("evil.example.com", "http://evil.example.com")] // DNS rebinding: both name the attacker
    [InlineData("evil.example.com", null)]
    [InlineData("perspective.example", "http://evil.example.com")]
    [InlineData("perspective.example", "null")] // sandboxed frames and file: pages
    [InlineData("perspective.example", "http://perspective.example")] // same name, other scheme
    [InlineData("perspective.example", "https://perspective.example:8443")] // same name, other port
    [InlineData("evil.example.com:443", "https://perspective.example")]
    public async Task A_foreign_host_or_origin_is_forbidden_even_with_a_valid_key(string host, string? origin)
    {
        var token = await KeyAsync();
        using var http = factory.CreateClient();
        var request = Authorized(ToolCall("perspective_create", new { workspace_id = await AcmeAsync(), title = "Rebound", description = "" }), token);
        request.Headers.Host = host;
        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.StartsWith("Forbidden:", (await ErrorAsync(response)).Message);
        Assert.False(await PerspectiveExistsAsync("Rebound"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("https://perspective.example")]
    [InlineData("https://PERSPECTIVE.example:443")]
    public async Task The_public_origin_and_clients_without_an_origin_are_served(string? origin)
    {
        var token = await KeyAsync();
        using var http = factory.CreateClient();
        var request = Authorized(McpTestClient.ToolsListRequest(null), token);
        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_configured_browser_origin_is_served()
    {
        using var host = factory.WithWebHostBuilder(builder => builder.UseSetting("Mcp:AllowedOrigins:0", "https://inspector.example"));
        var token = await KeyAsync();
        using var http = host.CreateClient();
        var request = Authorized(McpTestClient.ToolsListRequest(null), token);
        request.Headers.Add("Origin", "https://inspector.example");

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("localhost:5080", true, true)]
    [InlineData("127.0.0.1:5080", true, true)]
    [InlineData("[::1]:5080", true, true)]
    [InlineData("LOCALHOST:5080", true, true)]
    [InlineData("127.0.0.2:5080", true, true)]
    [InlineData("localhost:5081", true, false)] // another port: the same host, but another origin (another local app's page)
    [InlineData("evil.example.com:5080", false, false)]
    [InlineData("localhost.evil.example.com:5080", false, false)]
    [InlineData("127.0.0.1.nip.example:5080", false, false)]
    public void Loopback_names_are_one_host_when_the_public_host_is_loopback(string host, bool publicHost, bool allowedOrigin)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection([new("Platform:PublicBaseUrl", "http://localhost:5080")]).Build();
        var origins = new McpOrigins(configuration, Options.Create(new McpTransportOptions()));

        Assert.Equal(publicHost, origins.IsPublicHost(new HostString(host)));
        Assert.Equal(allowedOrigin, origins.IsAllowedOrigin($"http://{host}"));
        Assert.Equal(allowedOrigin, origins.IsAllowedOrigin($"http://{host}/"));
    }

    [Fact]
    public void A_request_without_a_host_is_not_for_the_public_host()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection([new("Platform:PublicBaseUrl", "http://localhost:5080")]).Build();

        Assert.False(new McpOrigins(configuration, Options.Create(new McpTransportOptions())).IsPublicHost(new HostString("")));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("application/json; charset=iso-8859-1")]
    [InlineData("application/jsonx")]
    public async Task A_body_that_is_not_json_is_415_and_nothing_is_written(string? contentType)
    {
        var token = await KeyAsync();
        using var http = factory.CreateClient();
        var request = Authorized(ToolCall("perspective_create", new { workspace_id = await AcmeAsync(), title = "Untyped", description = "" }), token);
        var body = await request.Content!.ReadAsByteArrayAsync();
        request.Content = new ByteArrayContent(body);
        if (contentType is not null)
        {
            request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Contains("Content-Type: application/json", (await ErrorAsync(response)).Message);
        Assert.False(await PerspectiveExistsAsync("Untyped"));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_body_over_the_limit_is_413_however_it_is_framed(bool announceLength)
    {
        var token = await KeyAsync();
        using var http = factory.CreateClient();
        var request = Authorized(new HttpRequestMessage(HttpMethod.Post, "/mcp") { Content = new LargeContent(40 * 1024 * 1024, announceLength) }, token);

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("at most 1048576 bytes", (await ErrorAsync(response)).Message);
    }

    // The in-process test server drains a request body before it answers, so how much the endpoint
    // reads is observed on the middleware itself.
    [Fact]
    public async Task A_body_announced_over_the_limit_is_refused_without_reading_it()
    {
        var context = McpContext(new CountingStream(40 * 1024 * 1024), contentLength: 40 * 1024 * 1024);
        var body = (CountingStream)context.Request.Body;

        await new McpRequestGuard(_ => throw new InvalidOperationException("The request went on."), Origins(), Options.Create(new McpTransportOptions()))
            .InvokeAsync(context);

        Assert.Equal(413, context.Response.StatusCode);
        Assert.Equal(0, body.BytesRead);
    }

    [Fact]
    public async Task A_body_without_a_length_is_read_only_up_to_the_limit()
    {
        var context = McpContext(new CountingStream(40 * 1024 * 1024), contentLength: null);
        var body = (CountingStream)context.Request.Body;

        await new McpRequestBody(_ => throw new InvalidOperationException("The request went on."), Options.Create(new McpTransportOptions()),
                Options.Create(new ModelContextProtocol.Server.McpServerOptions()))
            .InvokeAsync(context);

        Assert.Equal(413, context.Response.StatusCode);
        Assert.Equal(new McpTransportOptions().MaxRequestBodySize + 1, body.BytesRead);
    }

    [Fact]
    public async Task A_body_within_the_limit_is_served()
    {
        var token = await KeyAsync();
        using var http = factory.CreateClient();
        var padding = new string(' ', 900 * 1024);
        var request = Authorized(new HttpRequestMessage(HttpMethod.Post, "/mcp")
        {
            Content = new StringContent($$"""{"jsonrpc":"2.0","id":7,"method":"tools/list"{{padding}}}""", Encoding.UTF8, "application/json"),
        }, token);

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("workspace_list", await response.Content.ReadAsStringAsync());
    }

    public static TheoryData<string, byte[], int> InvalidParams => new()
    {
        { "initialize without protocolVersion", """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{},"clientInfo":{"name":"x","version":"1"}}}"""u8.ToArray(), JsonRpcErrorResponse.InvalidParams },
        { "initialize with a numeric protocolVersion", """{"jsonrpc":"2.0","id":"a","method":"initialize","params":{"protocolVersion":20251125}}"""u8.ToArray(), JsonRpcErrorResponse.InvalidParams },
        { "initialize without params", """{"jsonrpc":"2.0","id":2,"method":"initialize"}"""u8.ToArray(), JsonRpcErrorResponse.InvalidParams },
        { "an unknown tool", """{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"no_such_tool","arguments":{}}}"""u8.ToArray(), JsonRpcErrorResponse.InvalidParams },
        { "a tool name in another case", """{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"Workspace_List"}}"""u8.ToArray(), JsonRpcErrorResponse.InvalidParams },
        { "a tool name with a zero-width space", """{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"workspace_list\u200B"}}"""u8.ToArray(), JsonRpcErrorResponse.InvalidParams },
        { "a numeric tool name", """{"jsonrpc":"2.0","id":6,"method":"tools/call","params":{"name":7}}"""u8.ToArray(), JsonRpcErrorResponse.InvalidParams },
    };

    [Theory]
    [MemberData(nameof(InvalidParams))]
    public async Task A_request_with_invalid_params_gets_a_json_rpc_error_with_its_id(string what, byte[] body, int code)
    {
        using var response = await PostJsonAsync(body);

        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{what}: {(int)response.StatusCode}");
        var error = await ErrorAsync(response);
        Assert.Equal(code, error.Code);
        using var sent = JsonDocument.Parse(body);
        using var answered = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(sent.RootElement.GetProperty("id").GetRawText(), answered.RootElement.GetProperty("id").GetRawText());
    }

    public static TheoryData<string, byte[], int> MalformedMessages => new()
    {
        { "not JSON", "hello"u8.ToArray(), JsonRpcErrorResponse.ParseError },
        { "empty", [], JsonRpcErrorResponse.ParseError },
        { "truncated", """{"jsonrpc":"2.0","id":1,"meth"""u8.ToArray(), JsonRpcErrorResponse.ParseError },
        { "trailing garbage", """{"jsonrpc":"2.0","id":1,"method":"ping"} {}"""u8.ToArray(), JsonRpcErrorResponse.ParseError },
        { "invalid UTF-8", [(byte)'{', (byte)'"', 0xC3, 0x28, (byte)'"', (byte)':', (byte)'1', (byte)'}'], JsonRpcErrorResponse.ParseError },
        { "a batch", """[{"jsonrpc":"2.0","id":1,"method":"ping"}]"""u8.ToArray(), JsonRpcErrorResponse.InvalidRequest },
        { "a bare string", "\"tools/list\""u8.ToArray(), JsonRpcErrorResponse.InvalidRequest },
    };

    [Theory]
    [MemberData(nameof(MalformedMessages))]
    public async Task A_body_that_is_no_json_rpc_request_is_a_400_with_a_json_rpc_error(string what, byte[] body, int code)
    {
        using var response = await PostJsonAsync(body);

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{what}: {(int)response.StatusCode}");
        var error = await ErrorAsync(response);
        Assert.Equal(code, error.Code);
    }

    [Fact]
    public async Task An_invalid_initialize_echoes_the_request_id()
    {
        var token = await KeyAsync();
        using var http = factory.CreateClient();
        var request = Authorized(new HttpRequestMessage(HttpMethod.Post, "/mcp")
        {
            Content = new StringContent("""{"jsonrpc":"2.0","id":"init-1","method":"initialize","params":{}}""", Encoding.UTF8, "application/json"),
        }, token);

        using var response = await http.SendAsync(request);

        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("init-1", json.RootElement.GetProperty("id").GetString());
        Assert.Contains("params.protocolVersion", json.RootElement.GetProperty("error").GetProperty("message").GetString());
    }

    // Found by McpBodyFuzzTests: the MCP server threw on params of the wrong shape (a 500).
    [Fact]
    public async Task An_initialize_whose_capabilities_are_not_an_object_is_invalid_params()
    {
        var token = await KeyAsync();
        using var http = factory.CreateClient();
        var request = Authorized(new HttpRequestMessage(HttpMethod.Post, "/mcp")
        {
            Content = new StringContent("""{"jsonrpc":"2.0","id":9,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":[["x"],7],"clientInfo":{"name":"fuzz","version":"1"}}}""",
                Encoding.UTF8, "application/json"),
        }, token);

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(JsonRpcErrorResponse.InvalidParams, (await ErrorAsync(response)).Code);
    }

    // Found by McpBodyFuzzTests: the tool binder threw (and logged an unhandled error) for these.
    [Theory]
    [InlineData("perspective_list", """{}""", "workspace_id is required.")]
    [InlineData("perspective_list", """{"workspace_id":null}""", "workspace_id is required.")]
    [InlineData("perspective_list", """{"workspace_id":7}""", "workspace_id must be a string.")]
    [InlineData("perspective_list", """{"workspace_id":"x","page_size":"ten"}""", "page_size must be a whole number or null.")]
    [InlineData("perspective_list", """{"workspace_id":"x","page_size":10000000000}""", "page_size must be a whole number or null.")]
    [InlineData("perspective_create", """{"workspace_id":"x","title":["a"],"description":""}""", "title must be a string.")]
    public async Task Arguments_that_do_not_fit_the_tool_get_an_error_result_and_no_error_log(string tool, string arguments, string message)
    {
        await using var client = await McpTestClient.ConnectAsync(factory, await KeyAsync());
        var logged = factory.Logs.Lines.Count;

        var result = await client.CallToolAsync(tool, JsonSerializer.Deserialize<Dictionary<string, object?>>(arguments)!);

        Assert.True(result.IsError);
        Assert.Equal(message, McpTestClient.Text(result));
        Assert.DoesNotContain(factory.Logs.Lines.Skip(logged), line => line.StartsWith("Error ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_throttled_address_still_gets_the_challenge_without_credentials()
    {
        using var strict = factory.WithWebHostBuilder(builder => builder.UseSetting("Mcp:FailedAuthentication:Limit", "2"));
        using var http = strict.CreateClient();
        for (var i = 0; i < 3; i++)
        {
            using var failure = await http.SendAsync(McpTestClient.ToolsListRequest($"Bearer {McpKeyToken.Generate()}"));
        }

        using var throttled = await http.SendAsync(McpTestClient.ToolsListRequest($"Bearer {McpKeyToken.Generate()}"));
        using var discovery = await http.SendAsync(McpTestClient.ToolsListRequest(null));

        Assert.Equal(HttpStatusCode.TooManyRequests, throttled.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, discovery.StatusCode);
        Assert.Contains("resource_metadata=", discovery.Headers.WwwAuthenticate.ToString());
    }

    /// <summary>Posts <paramref name="body"/> as JSON with a valid key.</summary>
    private async Task<HttpResponseMessage> PostJsonAsync(byte[] body)
    {
        var token = await KeyAsync();
        using var http = factory.CreateClient();
        var request = Authorized(new HttpRequestMessage(HttpMethod.Post, "/mcp") { Content = new ByteArrayContent(body) }, token);
        request.Content!.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return await http.SendAsync(request);
    }

    private async Task<string> KeyAsync() => (await factory.CreateDemoKeyAsync($"Transport {Guid.NewGuid():N}"[..30], "acme-research")).Token;

    private async Task<string> AcmeAsync() => (await factory.CreateDemoKeyAsync($"Acme id {Guid.NewGuid():N}"[..30], "acme-research")).Workspaces["acme-research"];

    private static HttpRequestMessage Authorized(HttpRequestMessage request, string token)
    {
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        return request;
    }

    private static HttpRequestMessage ToolCall(string tool, object arguments) => new(HttpMethod.Post, "/mcp")
    {
        Content = new StringContent(JsonSerializer.Serialize(new { jsonrpc = "2.0", id = 1, method = "tools/call", @params = new { name = tool, arguments } }),
            Encoding.UTF8, "application/json"),
    };

    private static async Task<(int Code, string Message)> ErrorAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var error = json.RootElement.GetProperty("error");
        Assert.Equal("2.0", json.RootElement.GetProperty("jsonrpc").GetString());
        return (error.GetProperty("code").GetInt32(), error.GetProperty("message").GetString()!);
    }

    private async Task<bool> PerspectiveExistsAsync(string title)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ContentDataContext>().Perspectives.AnyAsync(p => p.Title == title);
    }

    private static McpOrigins Origins() => new(
        new ConfigurationBuilder().AddInMemoryCollection([new("Platform:PublicBaseUrl", PlatformFactory.PublicBaseUrl)]).Build(),
        Options.Create(new McpTransportOptions()));

    private static DefaultHttpContext McpContext(Stream body, long? contentLength)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "POST";
        context.Request.Path = "/mcp";
        context.Request.Host = new HostString("perspective.example");
        context.Request.ContentType = "application/json";
        context.Request.ContentLength = contentLength;
        context.Request.Body = body;
        context.Response.Body = new MemoryStream();
        return context;
    }

    /// <summary>A body of <c>length</c> bytes made on demand.</summary>
    private sealed class LargeContent : HttpContent
    {
        private readonly long length;
        private readonly bool announceLength;

        public LargeContent(long length, bool announceLength)
        {
            this.length = length;
            this.announceLength = announceLength;
            Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            var chunk = new byte[64 * 1024];
            for (var sent = 0L; sent < length; sent += chunk.Length)
            {
                await stream.WriteAsync(chunk);
            }
        }

        protected override bool TryComputeLength(out long result)
        {
            result = length;
            return announceLength;
        }
    }

    /// <summary>A read-only stream of <c>length</c> spaces that counts what was read from it.</summary>
    private sealed class CountingStream(long length) : Stream
    {
        public long BytesRead { get; private set; }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => length;
        public override long Position { get => BytesRead; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var read = (int)Math.Min(count, length - BytesRead);
            buffer.AsSpan(offset, read).Fill((byte)' ');
            BytesRead += read;
            return read;
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
