using System.Net;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Perspective.Connectedapps.V1;
using Perspective.Identity.OAuth;
using Perspective.Identity.Seeding;

namespace Perspective.IntegrationTests.OAuth;

public sealed class ClientMetadataDocumentTests(PlatformFactory factory) : IClassFixture<PlatformFactory>
{
    private const string ClientId = "https://client.example/oauth/metadata.json";

    [Fact]
    public async Task A_client_identified_by_its_metadata_document_connects()
    {
        using var host = WithDocument(ClientId, $$"""
            {"client_id":"{{ClientId}}","client_name":"Document Client","redirect_uris":["{{OAuthTestClient.Redirect}}"],"token_endpoint_auth_method":"none"}
            """);
        var cookies = await host.SignInAsync(DemoSeed.DemoEmail, DemoSeed.DemoPassword);
        var oauth = new OAuthTestClient(host, cookies);

        using var page = await oauth.StartAsync(oauth.AuthorizeParameters(ClientId));
        Assert.Contains($"identified by {ClientId}", await page.Content.ReadAsStringAsync());
        using var redirect = await oauth.ConsentAsync(page, "allow");
        var (status, tokens) = await oauth.ExchangeAsync(ClientId, OAuthTestClient.RedirectQuery(redirect)["code"]);

        Assert.Equal(HttpStatusCode.OK, status);
        await using var client = await McpTestClient.ConnectAsync(host, tokens.GetProperty("access_token").GetString()!);
        await client.CallAsync("workspace_list");
        var apps = new ConnectedAppService.ConnectedAppServiceClient(host.CreateGrpcChannel(cookies));
        var app = (await apps.ListConnectedAppsAsync(new ListConnectedAppsRequest())).ConnectedApps.Single(a => a.ClientId == ClientId);
        Assert.Equal(("Document Client", ClientKind.MetadataDocument, "https://client.example"), (app.Name, app.ClientKind, app.VerifiedOrigin));
        await apps.DisconnectConnectedAppAsync(new DisconnectConnectedAppRequest { ConnectedAppId = app.Id });
        var gone = (await apps.ListDisconnectedAppsAsync(new ListDisconnectedAppsRequest())).DisconnectedApps.Single(a => a.ClientId == ClientId);
        Assert.Equal(("Document Client", ClientKind.MetadataDocument, "https://client.example", DisconnectReason.User), (gone.Name, gone.ClientKind, gone.VerifiedOrigin, gone.Reason));
    }

    [Theory]
    [InlineData("""{"client_id":"https://someone-else.example/metadata.json","redirect_uris":["http://127.0.0.1:43117/callback"]}""", "client_id must equal the URL")]
    [InlineData("""{"client_id":"https://client.example/oauth/metadata.json","redirect_uris":["http://evil.example/cb"]}""", "only loopback addresses")]
    [InlineData("""{"client_id":"https://client.example/oauth/metadata.json","redirect_uris":[]}""", "redirect_uris must list")]
    [InlineData("""not json""", "not JSON")]
    public async Task A_document_that_does_not_describe_itself_properly_is_refused(string document, string reason)
    {
        using var host = WithDocument(ClientId, document);
        var oauth = new OAuthTestClient(host, await host.SignInAsync(DemoSeed.DemoEmail, DemoSeed.DemoPassword));

        using var response = await oauth.StartAsync(oauth.AuthorizeParameters(ClientId));

        var (error, description) = await OAuthTestClient.ErrorAsync(response);
        Assert.Equal("invalid_client", error);
        Assert.Contains(reason, description);
    }

    [Fact]
    public async Task A_redirect_to_the_document_is_not_followed()
    {
        using var host = WithHandler(new StubHandler(_ => new HttpResponseMessage(HttpStatusCode.Found) { Headers = { Location = new Uri("http://169.254.169.254/") } }));
        var oauth = new OAuthTestClient(host, await host.SignInAsync(DemoSeed.DemoEmail, DemoSeed.DemoPassword));

        using var response = await oauth.StartAsync(oauth.AuthorizeParameters(ClientId));

        Assert.Contains("redirects are not followed", (await OAuthTestClient.ErrorAsync(response)).Description);
    }

    [Fact]
    public async Task The_real_fetcher_never_connects_to_a_loopback_address()
    {
        var oauth = new OAuthTestClient(factory, await factory.SignInAsync(DemoSeed.DemoEmail, DemoSeed.DemoPassword));

        using var response = await oauth.StartAsync(oauth.AuthorizeParameters("https://localhost/oauth/metadata.json"));

        var (error, description) = await OAuthTestClient.ErrorAsync(response);
        Assert.Equal("invalid_client", error);
        Assert.Contains("could not be fetched from a public address", description);
    }

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("10.1.2.3", true)]
    [InlineData("172.16.0.1", true)]
    [InlineData("172.31.255.255", true)]
    [InlineData("192.168.1.1", true)]
    [InlineData("169.254.169.254", true)]
    [InlineData("100.64.0.1", true)]
    [InlineData("0.0.0.0", true)]
    [InlineData("::1", true)]
    [InlineData("fe80::1", true)]
    [InlineData("fd00::1", true)]
    [InlineData("::ffff:10.0.0.1", true)]
    [InlineData("93.184.216.34", false)]
    [InlineData("172.32.0.1", false)]
    [InlineData("2606:4700::6810:85e5", false)]
    public void Only_public_addresses_may_be_fetched(string address, bool refused) =>
        Assert.Equal(refused, NonPublicAddresses.Contains(IPAddress.Parse(address)));

    // Test configuration only: the document fetcher answers from memory instead of the network.
    private WebApplicationFactory<Program> WithDocument(string url, string document) =>
        WithHandler(new StubHandler(request => request.RequestUri?.ToString() == url
            ? new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(document, Encoding.UTF8, "application/json") }
            : new HttpResponseMessage(HttpStatusCode.NotFound)));

    private WebApplicationFactory<Program> WithHandler(HttpMessageHandler handler) =>
        factory.WithWebHostBuilder(builder => builder.ConfigureTestServices(services =>
            services.AddHttpClient(ClientMetadataDocuments.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => handler)));

    private sealed class StubHandler(Func<HttpRequestMessage, HttpResponseMessage> answer) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(answer(request));
    }
}
