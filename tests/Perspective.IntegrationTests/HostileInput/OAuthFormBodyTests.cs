using System.Net;
using System.Text;
using System.Text.Json;

namespace Perspective.IntegrationTests.HostileInput;

/// <summary>Form bodies ASP.NET Core refuses to parse are the client's invalid_request, never a 500 (found by <see cref="OAuthEndpointFuzzTests"/>).</summary>
public sealed class OAuthFormBodyTests(PlatformFactory factory) : IClassFixture<PlatformFactory>
{
    public static TheoryData<string, string, string> UnreadableForms
    {
        get
        {
            var data = new TheoryData<string, string, string>();
            foreach (var path in new[] { "/connect/authorize", "/connect/token", "/connect/revoke" })
            {
                data.Add(path, "application/x-www-form-urlencoded", "grant_type=refresh_token&" + new string('k', 2049) + "=v");
                data.Add(path, "application/x-www-form-urlencoded", "grant_type=refresh_token&client_id=a%00b");
                data.Add(path, "application/x-www-form-urlencoded-but-not-really", "grant_type=refresh_token");
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(UnreadableForms))]
    public async Task An_unreadable_form_body_is_an_invalid_request(string path, string contentType, string body)
    {
        using var http = factory.CreateClient();
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);

        using var response = await http.PostAsync(path, content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = path == "/connect/authorize"
            ? (await OAuthTestClient.ErrorAsync(response)).Error
            : JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString();
        Assert.Equal("invalid_request", error);
    }
}
