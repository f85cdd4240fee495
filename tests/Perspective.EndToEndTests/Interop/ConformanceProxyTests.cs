using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Perspective.EndToEndTests.Interop;

/// <summary>
/// The proxy the conformance runner goes through is only a fair witness if the host sees what the
/// runner sent: checked against an echo server that answers with the request it received.
/// </summary>
public sealed class ConformanceProxyTests
{
    [Fact]
    public async Task The_proxy_adds_the_key_and_forwards_host_origin_and_body_unchanged()
    {
        await using var echo = await EchoServer.StartAsync();
        await using var proxy = await BearerProxy.StartAsync();
        proxy.Target = echo.Url;
        proxy.Bearer = "pmk_the_key";
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{proxy.Url}/mcp?x=1")
        {
            Content = new StringContent("""{"jsonrpc":"2.0"}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Host = "evil.example.com";
        request.Headers.Add("Origin", "http://evil.example.com");
        request.Headers.Add("Authorization", "Bearer what-the-client-sent");

        using var response = await http.SendAsync(request);
        var seen = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("echo", response.Headers.GetValues("X-Echo").Single());
        Assert.Equal("POST /mcp?x=1", seen.GetProperty("request").GetString());
        Assert.Equal("evil.example.com", seen.GetProperty("host").GetString());
        Assert.Equal("http://evil.example.com", seen.GetProperty("origin").GetString());
        Assert.Equal("Bearer pmk_the_key", seen.GetProperty("authorization").GetString());
        Assert.Equal("application/json; charset=utf-8", seen.GetProperty("contentType").GetString());
        Assert.Equal("""{"jsonrpc":"2.0"}""", seen.GetProperty("body").GetString());
    }

    [Fact]
    public async Task The_proxy_passes_an_event_stream_on_as_it_comes()
    {
        await using var echo = await EchoServer.StartAsync();
        await using var proxy = await BearerProxy.StartAsync();
        proxy.Target = echo.Url;
        proxy.Bearer = "pmk_the_key";
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };

        using var response = await http.GetAsync($"{proxy.Url}/stream", HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));

        // The echo server holds the stream open after its first event: it only arrives if nothing buffers it.
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("data: first", await reader.ReadLineAsync(timeout.Token));
    }

    private sealed class EchoServer : IAsyncDisposable
    {
        private readonly WebApplication app;

        private EchoServer()
        {
            var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
            builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
            app = builder.Build();
            app.Run(async context =>
            {
                if (context.Request.Path == "/stream")
                {
                    context.Response.ContentType = "text/event-stream";
                    await context.Response.WriteAsync("data: first\n\n");
                    await context.Response.Body.FlushAsync();
                    await Task.Delay(TimeSpan.FromSeconds(20), context.RequestAborted).ContinueWith(_ => { });
                    return;
                }

                using var body = new StreamReader(context.Request.Body);
                context.Response.StatusCode = StatusCodes.Status202Accepted;
                context.Response.Headers["X-Echo"] = "echo";
                await context.Response.WriteAsJsonAsync(new
                {
                    request = $"{context.Request.Method} {context.Request.Path}{context.Request.QueryString}",
                    host = context.Request.Headers.Host.ToString(),
                    origin = context.Request.Headers.Origin.ToString(),
                    authorization = context.Request.Headers.Authorization.ToString(),
                    contentType = context.Request.ContentType,
                    body = await body.ReadToEndAsync(),
                });
            });
        }

        public string Url => new Uri(app.Urls.Single()).GetLeftPart(UriPartial.Authority);

        public static async Task<EchoServer> StartAsync()
        {
            var server = new EchoServer();
            await server.app.StartAsync();
            return server;
        }

        public async ValueTask DisposeAsync()
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await app.StopAsync(timeout.Token);
            await app.DisposeAsync();
        }
    }
}
