using System.Net;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Perspective.Identity.OAuth;

namespace Perspective.IntegrationTests.HostileInput;

/// <summary>
/// Client ID metadata documents are fetched for an anonymous authorization request, so the document's server is
/// the attacker: whatever it serves, and however slowly, the answer is <c>invalid_client</c> within the deadline.
/// </summary>
public sealed class ClientMetadataDocumentHostileInputTests(PlatformFactory factory) : IClassFixture<PlatformFactory>
{
    private const string ClientId = "https://client.example/oauth/metadata.json";
    private static readonly string Document =
        $$"""{"client_id":"{{ClientId}}","client_name":"Trickled","redirect_uris":["{{OAuthTestClient.Redirect}}"],"token_endpoint_auth_method":"none"}""";

    [Fact]
    public async Task A_document_that_trickles_in_is_refused_at_the_deadline()
    {
        await using var server = new ScriptedHttpServer(async (connection, cancellationToken) =>
        {
            var body = Encoding.UTF8.GetBytes(Document);
            await ScriptedHttpServer.WriteAsync(connection, $"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\n\r\n", cancellationToken);
            foreach (var b in body)
            {
                await connection.WriteAsync(new[] { b }, cancellationToken);
                await Task.Delay(200, cancellationToken);
            }
        });

        var description = await RefusedAsync(server);

        Assert.Contains("within 1 second", description);
    }

    [Fact]
    public async Task A_server_that_never_answers_is_refused_at_the_deadline()
    {
        await using var server = new ScriptedHttpServer((_, cancellationToken) => Task.Delay(Timeout.Infinite, cancellationToken));

        Assert.Contains("within 1 second", await RefusedAsync(server));
    }

    [Fact]
    public async Task A_body_cut_short_is_refused()
    {
        await using var server = new ScriptedHttpServer(async (connection, cancellationToken) =>
        {
            await ScriptedHttpServer.WriteAsync(connection, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"client_", cancellationToken);
            await connection.FlushAsync(cancellationToken);
        });

        Assert.Contains("ended before", await RefusedAsync(server));
    }

    [Fact]
    public async Task A_body_over_64_KiB_without_a_length_is_refused_while_streaming()
    {
        await using var server = new ScriptedHttpServer(async (connection, cancellationToken) =>
        {
            await ScriptedHttpServer.WriteAsync(connection, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n{\"client_name\":\"", cancellationToken);
            var filler = Encoding.ASCII.GetBytes(new string('x', 1024));
            for (var i = 0; i < 1024; i++)
            {
                await connection.WriteAsync(filler, cancellationToken);
            }
        });

        Assert.Contains("larger than 64 KiB", await RefusedAsync(server));
    }

    [Fact]
    public async Task A_declared_length_over_64_KiB_is_refused_without_waiting_for_the_body()
    {
        await using var server = new ScriptedHttpServer(async (connection, cancellationToken) =>
        {
            await ScriptedHttpServer.WriteAsync(connection, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 10000000\r\n\r\n", cancellationToken);
            await Task.Delay(Timeout.Infinite, cancellationToken);
        });

        Assert.Contains("larger than 64 KiB", await RefusedAsync(server, timeout: "00:01:00"));
    }

    public static TheoryData<string, string> BadDocuments => new()
    {
        { $$"""{"client_id":"{{ClientId}}","client_name":"Evil\u202Etxt.exe","redirect_uris":["{{OAuthTestClient.Redirect}}"]}""", "client_name" },
        { $$"""{"client_id":"{{ClientId}}","client_name":"Zero\u200Bwidth","redirect_uris":["{{OAuthTestClient.Redirect}}"]}""", "client_name" },
        { $$"""{"client_id":"{{ClientId}}","client_name":"{{new string('x', 201)}}","redirect_uris":["{{OAuthTestClient.Redirect}}"]}""", "client_name" },
        { $$"""{"client_id":"{{ClientId}}","client_name":7,"redirect_uris":["{{OAuthTestClient.Redirect}}"]}""", "client_name" },
        { $$"""{"client_id":"{{ClientId}}","redirect_uris":["{{OAuthTestClient.Redirect}}"],"token_endpoint_auth_method":5}""", "token_endpoint_auth_method" },
        { $$"""{"client_id":"{{ClientId}}","redirect_uris":["{{OAuthTestClient.Redirect}}\r\nX: y"]}""", "redirect URI is ASCII" },
        { $$"""{"client_id":"{{ClientId}}","redirect_uris":"{{OAuthTestClient.Redirect}}"}""", "redirect_uris" },
        { $$"""{"client_id":"{{ClientId}}","redirect_uris":["{{OAuthTestClient.Redirect}}"],"redirect_uris":["https://evil.example/cb"]}""", "not JSON" },
        { $$"""{"client_id":"{{ClientId}}","client_name":"\ud800","redirect_uris":["{{OAuthTestClient.Redirect}}"]}""", "client_name" },
        { """[]""", "JSON object" },
        { "", "not JSON" },
    };

    [Theory]
    [MemberData(nameof(BadDocuments))]
    public async Task A_bad_document_is_an_invalid_client(string document, string reason)
    {
        await using var server = ScriptedHttpServer.Answering(document);

        Assert.Contains(reason, await RefusedAsync(server));
    }

    [Fact]
    public async Task A_document_that_is_not_utf8_is_an_invalid_client()
    {
        await using var server = ScriptedHttpServer.Answering([.. Encoding.UTF8.GetBytes($"{{\"client_id\":\"{ClientId}\",\"client_name\":\""), 0xFF, .. "\"}"u8]);

        Assert.Contains("not valid UTF-8", await RefusedAsync(server));
    }

    [Theory]
    [InlineData("https://client.example/meta\r\ndata.json")]
    [InlineData("https://client.example/meta\u202Edata.json")]
    [InlineData("https://client.example/meta data.json")]
    public async Task A_client_id_url_with_control_space_or_invisible_characters_is_refused_without_fetching(string clientId)
    {
        var fetched = 0;
        await using var server = new ScriptedHttpServer((_, _) =>
        {
            Interlocked.Increment(ref fetched);
            return Task.CompletedTask;
        });

        var description = await RefusedAsync(server, clientId: clientId);

        Assert.DoesNotContain(description, c => char.IsControl(c) || c is '\u202E');
        Assert.Equal(0, fetched);
    }

    [Theory]
    [InlineData("https://169.254.169.254/latest/meta-data.json")]
    [InlineData("https://0.0.0.0/metadata.json")]
    [InlineData("https://[::ffff:127.0.0.1]/metadata.json")]
    [InlineData("https://[::7f00:1]/metadata.json")]
    [InlineData("https://[64:ff9b::7f00:1]/metadata.json")]
    [InlineData("https://[2002:7f00:1::]/metadata.json")]
    [InlineData("https://[fe80::1]/metadata.json")]
    public async Task The_real_fetcher_refuses_non_public_addresses_however_they_are_written(string clientId)
    {
        var oauth = new OAuthTestClient(factory, new CookieContainer());

        using var response = await oauth.StartAsync(oauth.AuthorizeParameters(clientId));

        var (error, description) = await OAuthTestClient.ErrorAsync(response);
        Assert.Equal("invalid_client", error);
        Assert.Contains("could not be fetched from a public address", description);
        HostileAnswers.NoErrorLogs(factory.Logs);
    }

    [Fact]
    public void The_real_fetcher_connects_through_the_guard_itself_never_through_a_proxy_or_a_redirect()
    {
        var handler = factory.Services.GetRequiredService<IHttpMessageHandlerFactory>().CreateHandler(ClientMetadataDocuments.HttpClientName);
        while (handler is DelegatingHandler { InnerHandler: { } inner })
        {
            handler = inner;
        }

        var sockets = Assert.IsType<SocketsHttpHandler>(handler);
        Assert.False(sockets.UseProxy);
        Assert.False(sockets.AllowAutoRedirect);
        Assert.Equal(0, sockets.MaxResponseDrainSize);
        Assert.NotNull(sockets.ConnectCallback);
    }

    [Fact]
    public void A_deadline_that_is_not_positive_stops_the_host_at_start()
    {
        using var host = factory.WithWebHostBuilder(builder => builder.UseSetting("OAuth:MetadataDocuments:Timeout", "00:00:00"));

        var failure = Record.Exception(() => host.Server);

        Assert.Contains("OAuth:MetadataDocuments:Timeout must be a positive time span", failure?.ToString());
    }

    /// <summary>Asks to authorize <paramref name="clientId"/> (anonymously) from a host whose fetches all reach <paramref name="server"/>; returns the refusal's description.</summary>
    private async Task<string> RefusedAsync(ScriptedHttpServer server, string timeout = "00:00:01", string clientId = ClientId)
    {
        using var host = ServedBy(server, timeout);
        var oauth = new OAuthTestClient(host, new CookieContainer());

        using var response = await oauth.StartAsync(oauth.AuthorizeParameters(clientId));

        var (error, description) = await OAuthTestClient.ErrorAsync(response);
        Assert.Equal("invalid_client", error);
        HostileAnswers.NoErrorLogs(factory.Logs);
        return description;
    }

    // Test configuration only: the fetcher's connections all go to the loopback server, over plain HTTP.
    private WebApplicationFactory<Program> ServedBy(ScriptedHttpServer server, string timeout) => factory.WithWebHostBuilder(builder =>
    {
        builder.UseSetting("OAuth:MetadataDocuments:Timeout", timeout);
        builder.ConfigureTestServices(services => services.AddHttpClient(ClientMetadataDocuments.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(() => new ToLoopback(server.Port)));
    });

    private sealed class ToLoopback(int port) : DelegatingHandler(new SocketsHttpHandler { AllowAutoRedirect = false })
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.RequestUri = new UriBuilder(request.RequestUri!) { Scheme = "http", Host = "127.0.0.1", Port = port }.Uri;
            return base.SendAsync(request, cancellationToken);
        }
    }
}
