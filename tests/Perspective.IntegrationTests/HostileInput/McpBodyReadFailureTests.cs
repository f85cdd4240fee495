using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Perspective.IntegrationTests.HostileInput;

/// <summary>
/// What the end-to-end slow-drip test found: an <c>/mcp</c> body that Kestrel stops reading (too slow for
/// MinRequestBodyDataRate, malformed chunking, a broken connection) made <c>McpRequestBody</c> throw Kestrel's
/// BadHttpRequestException, which the host logged as an unhandled error (and, in Development, answered with a
/// stack trace). It now gets the exception's status with a JSON-RPC error body and nothing is logged as an error.
/// </summary>
public sealed class McpBodyReadFailureTests(PlatformFactory factory) : IClassFixture<PlatformFactory>
{
    [Theory]
    [InlineData(StatusCodes.Status408RequestTimeout, "Request Timeout")]
    [InlineData(StatusCodes.Status400BadRequest, "Bad Request")]
    public async Task A_body_that_cannot_be_read_gets_a_json_rpc_error_and_no_error_log(int kestrelStatus, string message)
    {
        using var host = factory.WithWebHostBuilder(builder => builder.ConfigureTestServices(services =>
            services.AddSingleton<IStartupFilter>(new BreakingMcpBody(kestrelStatus))));
        var (token, _) = await host.CreateDemoKeyAsync($"Broken body {kestrelStatus}", "acme-research");
        using var http = host.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/mcp")
        {
            Content = new StringContent("""{"jsonrpc":"2.0","id":1,"method":"tools/list"}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new("Bearer", token);
        request.Headers.Accept.ParseAdd("application/json, text/event-stream");

        using var response = await http.SendAsync(request);

        var body = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == kestrelStatus, $"{(int)response.StatusCode}: {body}");
        var error = JsonDocument.Parse(body).RootElement.GetProperty("error");
        Assert.Equal(-32000, error.GetProperty("code").GetInt32());
        Assert.StartsWith(message, error.GetProperty("message").GetString());
        Assert.DoesNotContain("Exception", body, StringComparison.Ordinal);
        HostileAnswers.NoErrorLogs(factory.Logs);
    }

    /// <summary>What Kestrel does to an /mcp body that arrives too slowly or malformed: reading it throws.</summary>
    private sealed class BreakingMcpBody(int status) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, rest) =>
            {
                if (context.Request.Path.StartsWithSegments("/mcp"))
                {
                    context.Request.Body = new BrokenStream(status);
                }

                return rest(context);
            });
            next(app);
        };

        private sealed class BrokenStream(int status) : MemoryStream
        {
            public override int Read(byte[] buffer, int offset, int count) => throw Broken();

            public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => throw Broken();

            public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => throw Broken();

            private BadHttpRequestException Broken() => new("Reading the request body failed.", status);
        }
    }
}
