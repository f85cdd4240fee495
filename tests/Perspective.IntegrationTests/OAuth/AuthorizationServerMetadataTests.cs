using System.Net;
using System.Text.Json;

namespace Perspective.IntegrationTests.OAuth;

/// <summary>What MCP clients discover before they register: the authorization server metadata, reachable from browsers.</summary>
public sealed class AuthorizationServerMetadataTests(PlatformFactory factory) : IClassFixture<PlatformFactory>
{
    [Theory]
    [InlineData("/.well-known/oauth-authorization-server")]
    [InlineData("/.well-known/openid-configuration")]
    public async Task Discovery_tells_mcp_clients_what_they_need(string path)
    {
        using var http = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("Origin", "https://inspector.example");

        using var response = await http.SendAsync(request);
        var metadata = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal("*", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Equal($"{PlatformFactory.PublicBaseUrl}/", metadata.GetProperty("issuer").GetString());
        Assert.Equal(["S256"], Strings(metadata, "code_challenge_methods_supported"));
        Assert.Equal($"{PlatformFactory.PublicBaseUrl}/connect/register", metadata.GetProperty("registration_endpoint").GetString());
        Assert.True(metadata.GetProperty("client_id_metadata_document_supported").GetBoolean());
        Assert.True(metadata.GetProperty("authorization_response_iss_parameter_supported").GetBoolean());
        Assert.Contains("none", Strings(metadata, "token_endpoint_auth_methods_supported"));
        Assert.Contains("client_secret_post", Strings(metadata, "token_endpoint_auth_methods_supported"));
        Assert.Equal(["mcp:read", "mcp:write", "offline_access"], Strings(metadata, "scopes_supported").Order());
    }

    [Fact]
    public async Task The_token_endpoint_answers_browser_preflights()
    {
        using var http = factory.CreateClient();
        using var preflight = new HttpRequestMessage(HttpMethod.Options, "/connect/token");
        preflight.Headers.Add("Origin", "https://inspector.example");
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        preflight.Headers.Add("Access-Control-Request-Headers", "content-type");

        using var response = await http.SendAsync(preflight);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal("*", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
    }

    private static IEnumerable<string?> Strings(JsonElement metadata, string name) =>
        metadata.GetProperty(name).EnumerateArray().Select(v => v.GetString());
}
