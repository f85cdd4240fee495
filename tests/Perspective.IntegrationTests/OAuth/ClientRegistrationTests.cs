using System.Net;
using System.Text;
using System.Text.Json;

namespace Perspective.IntegrationTests.OAuth;

/// <summary>Dynamic client registration (RFC 7591): what a registration returns, which metadata is refused and how, and its rate limit.</summary>
public sealed class ClientRegistrationTests(PlatformFactory factory) : IClassFixture<PlatformFactory>
{
    [Fact]
    public async Task Registration_returns_only_what_applies_and_a_secret_only_to_confidential_clients()
    {
        using var http = factory.CreateClient();

        var publicClient = await OAuthTestClient.RegisterAsync(http, new { redirect_uris = new[] { "http://localhost:8976/cb" }, token_endpoint_auth_method = "none" });
        var confidential = await OAuthTestClient.RegisterAsync(http, new { redirect_uris = new[] { "https://app.example/cb" }, token_endpoint_auth_method = "client_secret_post", client_name = "Hosted app" });

        Assert.False(publicClient.TryGetProperty("client_secret", out _));
        Assert.False(publicClient.TryGetProperty("client_name", out _));
        Assert.Equal("none", publicClient.GetProperty("token_endpoint_auth_method").GetString());
        Assert.StartsWith("pcl_", publicClient.GetProperty("client_id").GetString(), StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(confidential.GetProperty("client_secret").GetString()));
        Assert.Equal("Hosted app", confidential.GetProperty("client_name").GetString());
    }

    public static TheoryData<string, string> BadRegistrations => new()
    {
        { """{"redirect_uris":["http://app.example/cb"],"token_endpoint_auth_method":"none"}""", "invalid_redirect_uri" },
        { """{"redirect_uris":["javascript:alert(1)"],"token_endpoint_auth_method":"none"}""", "invalid_redirect_uri" },
        { """{"redirect_uris":["file:///etc/passwd"]}""", "invalid_redirect_uri" },
        { """{"redirect_uris":["https://app.example/cb#fragment"]}""", "invalid_redirect_uri" },
        { """{"client_name":"No redirects"}""", "invalid_redirect_uri" },
        { """{"redirect_uris":[]}""", "invalid_redirect_uri" },
        { """{"redirect_uris":["https://app.example/cb"],"grant_types":["password"]}""", "invalid_client_metadata" },
        { """{"redirect_uris":["https://app.example/cb"],"token_endpoint_auth_method":"private_key_jwt"}""", "invalid_client_metadata" },
        { """{"redirect_uris":["https://app.example/cb"],"scope":"admin"}""", "invalid_client_metadata" },
        { """not json""", "invalid_client_metadata" },
        { "{\"redirect_uris\":[\"https://app.example/cb\"],\"client_name\":\"" + new string('x', 300) + "\"}", "invalid_client_metadata" },
    };

    [Theory]
    [MemberData(nameof(BadRegistrations))]
    public async Task Bad_registrations_get_rfc7591_errors(string body, string error)
    {
        using var http = factory.CreateClient();

        using var response = await http.PostAsync("/connect/register", new StringContent(body, Encoding.UTF8, "application/json"));
        var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(error, answer.GetProperty("error").GetString());
        Assert.False(string.IsNullOrWhiteSpace(answer.GetProperty("error_description").GetString()));
    }

    [Fact]
    public async Task Anonymous_registration_is_rate_limited()
    {
        using var strict = factory.WithWebHostBuilder(builder => builder.UseSetting("OAuth:Registration:PermitPerMinute", "2"));
        using var http = strict.CreateClient();

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var response = await http.PostAsync("/connect/register", OAuthTestClient.Json(new { redirect_uris = new[] { "https://app.example/cb" } }));
            statuses.Add(response.StatusCode);
        }

        Assert.Equal([HttpStatusCode.Created, HttpStatusCode.Created, HttpStatusCode.TooManyRequests], statuses);
    }
}
