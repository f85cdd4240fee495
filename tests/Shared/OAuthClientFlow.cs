using System.Buffers.Text;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Perspective.Tests.Shared;

/// <summary>
/// An MCP client's side of the platform's OAuth flow, step by step and over any HTTP client:
/// dynamic registration of a public client, the authorization request with PKCE (S256), the
/// consent form, and the token requests. <see cref="ConnectAsync"/> runs it all against a real host.
/// </summary>
public sealed partial class OAuthClientFlow(string mcpResource, string redirect)
{
    public string Redirect => redirect;

    /// <summary>The PKCE code verifier; the authorization request carries its S256 challenge.</summary>
    public string Verifier { get; } = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    public static StringContent Json(object value) => new(JsonSerializer.Serialize(value), Encoding.UTF8, "application/json");

    /// <summary>The registration metadata (RFC 7591) of a public client that comes back to <paramref name="redirectUri"/>.</summary>
    public static object PublicClient(string clientName, string redirectUri) =>
        new { client_name = clientName, redirect_uris = new[] { redirectUri }, token_endpoint_auth_method = "none" };

    /// <summary>The query of the authorization request: code flow with PKCE for the MCP resource.</summary>
    public Dictionary<string, string?> AuthorizeParameters(string clientId, string state, string? redirectUri = null) => new()
    {
        ["response_type"] = "code",
        ["client_id"] = clientId,
        ["redirect_uri"] = redirectUri ?? redirect,
        ["scope"] = "mcp",
        ["state"] = state,
        ["code_challenge"] = Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(Verifier))),
        ["code_challenge_method"] = "S256",
        ["resource"] = mcpResource,
    };

    /// <summary>
    /// The consent page's form answered with <paramref name="action"/> (<c>allow</c> or <c>deny</c>):
    /// its hidden fields, its antiforgery token, the chosen workspaces (null: every one the page offers)
    /// and the chosen access (null: the one the page preselects, if it offers a choice; <c>read</c> or <c>read_write</c>).
    /// </summary>
    public static List<KeyValuePair<string, string>> ConsentForm(
        string consentPage, string action, IEnumerable<string>? workspaceIds = null, string? access = null)
    {
        var form = HiddenField().Matches(consentPage)
            .Select(m => KeyValuePair.Create(WebUtility.HtmlDecode(m.Groups[1].Value), WebUtility.HtmlDecode(m.Groups[2].Value)))
            .ToList();
        form.Add(KeyValuePair.Create("__RequestVerificationToken", SignInForm.AntiforgeryToken(consentPage)));
        var choices = workspaceIds ?? WorkspaceChoice().Matches(consentPage).Select(m => m.Groups[1].Value);
        form.AddRange(choices.Select(id => KeyValuePair.Create("workspaces", id)));
        var chosenAccess = access ?? (CheckedAccess().Match(consentPage) is { Success: true } preselected ? preselected.Groups[1].Value : null);
        if (chosenAccess is not null)
        {
            form.Add(KeyValuePair.Create("access", chosenAccess));
        }

        form.Add(KeyValuePair.Create("consent_action", action));
        return form;
    }

    /// <summary>The token request that redeems <paramref name="code"/> with this flow's verifier.</summary>
    public Dictionary<string, string> CodeExchange(string clientId, string code) => new()
    {
        ["grant_type"] = "authorization_code",
        ["code"] = code,
        ["redirect_uri"] = redirect,
        ["client_id"] = clientId,
        ["code_verifier"] = Verifier,
        ["resource"] = mcpResource,
    };

    public static Dictionary<string, string> Refresh(string clientId, string refreshToken) => new()
    {
        ["grant_type"] = "refresh_token",
        ["refresh_token"] = refreshToken,
        ["client_id"] = clientId,
    };

    /// <summary>
    /// Connects an app to the real host at <paramref name="baseUrl"/> as an MCP client and its user would
    /// (registration, sign-in, consent to every workspace, code exchange); returns the app's access token.
    /// </summary>
    public static async Task<string> ConnectAsync(string baseUrl, string clientName, string email, string password)
    {
        using var browser = new HttpClient(new SocketsHttpHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false })
        {
            BaseAddress = new Uri(baseUrl),
            Timeout = TimeSpan.FromSeconds(30),
        };
        var flow = new OAuthClientFlow(baseUrl + "/mcp", "http://127.0.0.1:47555/callback");

        using var registration = await browser.PostAsync("/connect/register", Json(PublicClient(clientName, flow.Redirect)));
        var clientId = JsonDocument.Parse(await registration.Content.ReadAsStringAsync()).RootElement.GetProperty("client_id").GetString()!;

        using (var signIn = await SignInForm.SubmitAsync(browser, email, password))
        {
            if (signIn.StatusCode != HttpStatusCode.Redirect)
            {
                throw new InvalidOperationException($"Signing in as {email} failed with {signIn.StatusCode}.");
            }
        }

        var query = string.Join("&", flow.AuthorizeParameters(clientId, "e2e").Select(p => $"{p.Key}={Uri.EscapeDataString(p.Value!)}"));
        var consent = await browser.GetStringAsync("/connect/authorize?" + query);
        using var allowed = await browser.PostAsync("/connect/authorize", new FormUrlEncodedContent(ConsentForm(consent, "allow")));
        var code = AuthorizationCode().Match(allowed.Headers.Location?.Query ?? "").Groups[1].Value;
        if (code.Length == 0)
        {
            throw new InvalidOperationException($"Consent did not return a code: {allowed.StatusCode} {allowed.Headers.Location}");
        }

        using var token = await browser.PostAsync("/connect/token", new FormUrlEncodedContent(flow.CodeExchange(clientId, Uri.UnescapeDataString(code))));
        return JsonDocument.Parse(await token.Content.ReadAsStringAsync()).RootElement.GetProperty("access_token").GetString()!;
    }

    [GeneratedRegex("<input type=\"hidden\" name=\"([^\"]+)\" value=\"([^\"]*)\"")]
    private static partial Regex HiddenField();

    [GeneratedRegex("name=\"workspaces\" value=\"([^\"]+)\"")]
    private static partial Regex WorkspaceChoice();

    [GeneratedRegex("name=\"access\" value=\"([^\"]+)\" checked=\"checked\"")]
    private static partial Regex CheckedAccess();

    [GeneratedRegex("[?&]code=([^&]+)")]
    private static partial Regex AuthorizationCode();
}
