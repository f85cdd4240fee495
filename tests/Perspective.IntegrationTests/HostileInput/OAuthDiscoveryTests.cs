using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Perspective.IntegrationTests.HostileInput;

/// <summary>Discovery advertises exactly what is accepted: the client authentication methods registration offers and the endpoints take, the response modes.</summary>
public sealed class OAuthDiscoveryTests(PlatformFactory factory) : IClassFixture<PlatformFactory>
{
    private static readonly string[] Accepted = ["client_secret_basic", "client_secret_post", "none"];

    [Theory]
    [InlineData("token_endpoint_auth_methods_supported")]
    [InlineData("revocation_endpoint_auth_methods_supported")]
    public async Task Discovery_lists_exactly_the_accepted_client_authentication_methods(string field)
    {
        var metadata = await DiscoveryAsync();

        Assert.Equal(Accepted, metadata.GetProperty(field).EnumerateArray().Select(m => m.GetString()).Order());
    }

    [Fact]
    public async Task Discovery_offers_only_the_query_response_mode()
    {
        var metadata = await DiscoveryAsync();

        Assert.Equal(["query"], metadata.GetProperty("response_modes_supported").EnumerateArray().Select(m => m.GetString()));
    }

    [Fact]
    public async Task Every_advertised_method_is_offered_by_registration_and_accepted_by_the_token_and_revocation_endpoints()
    {
        var metadata = await DiscoveryAsync();
        using var http = factory.CreateClient();

        foreach (var method in metadata.GetProperty("token_endpoint_auth_methods_supported").EnumerateArray().Select(m => m.GetString()!))
        {
            var client = await OAuthTestClient.RegisterAsync(http, new { redirect_uris = new[] { "https://app.example/cb" }, token_endpoint_auth_method = method });

            // A made-up refresh token: invalid_grant means the client itself was authenticated.
            using var token = await http.SendAsync(Authenticated(method, client, "/connect/token", new() { ["grant_type"] = "refresh_token", ["refresh_token"] = "made-up" }));
            using var revocation = await http.SendAsync(Authenticated(method, client, "/connect/revoke", new() { ["token"] = "made-up" }));

            Assert.Equal((method, "invalid_grant"), (method, await ErrorAsync(token)));
            Assert.Equal((method, HttpStatusCode.OK), (method, revocation.StatusCode));
        }
    }

    [Fact]
    public async Task A_private_key_jwt_client_is_refused_at_registration_and_at_the_token_endpoint()
    {
        using var http = factory.CreateClient();
        var publicClient = await OAuthTestClient.RegisterAsync(http, new { redirect_uris = new[] { "https://app.example/cb" }, token_endpoint_auth_method = "none" });

        using var registration = await http.PostAsync("/connect/register",
            OAuthTestClient.Json(new { redirect_uris = new[] { "https://app.example/cb" }, token_endpoint_auth_method = "private_key_jwt" }));
        using var token = await http.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["refresh_token"] = "made-up",
            ["client_id"] = publicClient.GetProperty("client_id").GetString()!,
            ["client_assertion_type"] = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ["client_assertion"] = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJ4In0.c2ln",
        }));

        Assert.Equal(HttpStatusCode.BadRequest, registration.StatusCode);
        Assert.Contains(token.StatusCode, new[] { HttpStatusCode.BadRequest, HttpStatusCode.Unauthorized });
        Assert.NotEqual("invalid_grant", await ErrorAsync(token));
    }

    private async Task<JsonElement> DiscoveryAsync()
    {
        using var http = factory.CreateClient();
        return JsonDocument.Parse(await http.GetStringAsync("/.well-known/oauth-authorization-server")).RootElement.Clone();
    }

    private static HttpRequestMessage Authenticated(string method, JsonElement client, string path, Dictionary<string, string> form)
    {
        var clientId = client.GetProperty("client_id").GetString()!;
        var request = new HttpRequestMessage(HttpMethod.Post, path);
        switch (method)
        {
            case "none":
                form["client_id"] = clientId;
                break;
            case "client_secret_post":
                form["client_id"] = clientId;
                form["client_secret"] = client.GetProperty("client_secret").GetString()!;
                break;
            case "client_secret_basic":
                var credentials = $"{Uri.EscapeDataString(clientId)}:{Uri.EscapeDataString(client.GetProperty("client_secret").GetString()!)}";
                request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials)));
                break;
            default:
                Assert.Fail($"Discovery advertises {method}, which this test does not know how to use.");
                break;
        }

        request.Content = new FormUrlEncodedContent(form);
        return request;
    }

    private static async Task<string?> ErrorAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.TryGetProperty("error", out var error) ? error.GetString() : null;
}
