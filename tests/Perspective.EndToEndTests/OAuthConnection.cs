using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Perspective.EndToEndTests;

/// <summary>
/// Connects an app through a real host's OAuth flow, as an MCP client and its user would:
/// registration, sign-in, consent, code exchange. Returns the app's access token.
/// (Also compiled into the benchmark harness, which needs the same token.)
/// </summary>
public static partial class OAuthConnection
{
    private const string Redirect = "http://127.0.0.1:47555/callback";

    public static async Task<string> ConnectAsync(string baseUrl, string clientName, string email, string password)
    {
        var cookies = new CookieContainer();
        using var http = new HttpClient(new SocketsHttpHandler { CookieContainer = cookies, AllowAutoRedirect = false })
        {
            BaseAddress = new Uri(baseUrl),
            Timeout = TimeSpan.FromSeconds(30),
        };

        using var registration = await http.PostAsync("/connect/register", new StringContent(
            JsonSerializer.Serialize(new { client_name = clientName, redirect_uris = new[] { Redirect }, token_endpoint_auth_method = "none" }),
            Encoding.UTF8, "application/json"));
        var clientId = JsonDocument.Parse(await registration.Content.ReadAsStringAsync()).RootElement.GetProperty("client_id").GetString()!;

        var verifier = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var challenge = System.Buffers.Text.Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        var authorize = $"/connect/authorize?response_type=code&client_id={clientId}&redirect_uri={Uri.EscapeDataString(Redirect)}" +
                        $"&scope=mcp&state=e2e&code_challenge={challenge}&code_challenge_method=S256&resource={Uri.EscapeDataString(baseUrl + "/mcp")}";

        var login = await http.GetStringAsync("/account/login");
        using (await http.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Form.Email"] = email,
            ["Form.Password"] = password,
            ["__RequestVerificationToken"] = Antiforgery(login),
        })))
        {
        }

        var consent = await http.GetStringAsync(authorize);
        var form = HiddenFields().Matches(consent)
            .Select(m => KeyValuePair.Create(WebUtility.HtmlDecode(m.Groups[1].Value), WebUtility.HtmlDecode(m.Groups[2].Value)))
            .Concat(Workspaces().Matches(consent).Select(m => KeyValuePair.Create("workspaces", m.Groups[1].Value)))
            .Append(KeyValuePair.Create("__RequestVerificationToken", Antiforgery(consent)))
            .Append(KeyValuePair.Create("consent_action", "allow"))
            .ToList();
        using var allowed = await http.PostAsync("/connect/authorize", new FormUrlEncodedContent(form));
        var code = Regex.Match(allowed.Headers.Location?.Query ?? "", "[?&]code=([^&]+)").Groups[1].Value;
        if (code.Length == 0)
        {
            throw new InvalidOperationException($"Consent did not return a code: {allowed.StatusCode} {allowed.Headers.Location}");
        }

        using var token = await http.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = Uri.UnescapeDataString(code),
            ["redirect_uri"] = Redirect,
            ["client_id"] = clientId,
            ["code_verifier"] = verifier,
        }));
        return JsonDocument.Parse(await token.Content.ReadAsStringAsync()).RootElement.GetProperty("access_token").GetString()!;
    }

    private static string Antiforgery(string html) =>
        WebUtility.HtmlDecode(AntiforgeryToken().Match(html).Groups[1].Value);

    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();

    [GeneratedRegex("<input type=\"hidden\" name=\"([^\"]+)\" value=\"([^\"]*)\"")]
    private static partial Regex HiddenFields();

    [GeneratedRegex("name=\"workspaces\" value=\"([^\"]+)\"")]
    private static partial Regex Workspaces();
}
