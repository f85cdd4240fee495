using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.WebUtilities;
using Perspective.Accounts.V1;
using Perspective.Identity.Seeding;
using Perspective.Tests.Shared;

namespace Perspective.IntegrationTests;

/// <summary>
/// An MCP client's side of OAuth against the in-process host: registration, the authorization
/// request with PKCE, the user's sign-in and consent through the real pages, and the token endpoint.
/// </summary>
public sealed partial class OAuthTestClient(WebApplicationFactory<Program> host, CookieContainer userSession)
{
    public const string Redirect = "http://127.0.0.1:43117/callback";

    private readonly OAuthClientFlow flow = new(PlatformFactory.PublicBaseUrl + "/mcp", Redirect);

    public string Verifier => flow.Verifier;

    /// <summary>The demo user, signed in, with an app acting for them; and their workspace ids by slug.</summary>
    public static async Task<(OAuthTestClient OAuth, Dictionary<string, string> Workspaces)> ForDemoUserAsync(WebApplicationFactory<Program> host)
    {
        var cookies = await host.SignInAsync(DemoSeed.DemoEmail, DemoSeed.DemoPassword);
        var accounts = new AccountService.AccountServiceClient(host.CreateGrpcChannel(cookies));
        var workspaces = (await accounts.ListMyWorkspacesAsync(new ListMyWorkspacesRequest())).Workspaces.ToDictionary(w => w.Slug, w => w.Id);
        return (new OAuthTestClient(host, cookies), workspaces);
    }

    public static async Task<JsonElement> RegisterAsync(HttpClient http, object metadata)
    {
        using var response = await http.PostAsync("/connect/register", Json(metadata));
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"Registration failed: {body}");
        return body;
    }

    public static StringContent Json(object value) => OAuthClientFlow.Json(value);

    public async Task<string> RegisterPublicClientAsync(string name = "Test MCP client", string redirect = Redirect)
    {
        using var http = host.CreateClient();
        var registered = await RegisterAsync(http, OAuthClientFlow.PublicClient(name, redirect));
        return registered.GetProperty("client_id").GetString()!;
    }

    public Dictionary<string, string?> AuthorizeParameters(string clientId, string redirect = Redirect) => flow.AuthorizeParameters(clientId, "state-123", redirect);

    /// <summary>Sends the authorization request as the signed-in user; returns the response (consent page or redirect).</summary>
    public async Task<HttpResponseMessage> StartAsync(IDictionary<string, string?> parameters)
    {
        using var browser = host.CreateBrowserLikeClient(userSession);
        return await browser.GetAsync(QueryHelpers.AddQueryString("/connect/authorize", parameters));
    }

    /// <summary>
    /// Answers the consent page; <paramref name="workspaceIds"/> null keeps the page's default (all), <paramref name="access"/>
    /// null the access it preselects (<c>read</c> or <c>read_write</c> choose; any other value is sent as is).
    /// </summary>
    public async Task<HttpResponseMessage> ConsentAsync(
        HttpResponseMessage consentPage, string action, IEnumerable<string>? workspaceIds = null, string? access = null)
    {
        var html = await consentPage.Content.ReadAsStringAsync();
        Assert.True(consentPage.StatusCode == HttpStatusCode.OK, $"Expected the consent page, got {consentPage.StatusCode}: {html}");
        using var browser = host.CreateBrowserLikeClient(userSession);
        return await browser.PostAsync("/connect/authorize", new FormUrlEncodedContent(OAuthClientFlow.ConsentForm(html, action, workspaceIds, access)));
    }

    /// <summary>Runs the whole authorization request and returns the code from the redirect.</summary>
    public async Task<string> AuthorizeAsync(string clientId, IEnumerable<string>? workspaceIds = null)
    {
        using var page = await StartAsync(AuthorizeParameters(clientId));
        using var redirect = await ConsentAsync(page, "allow", workspaceIds);
        var query = RedirectQuery(redirect);
        Assert.True(query.ContainsKey("code"), $"No code in {redirect.Headers.Location}");
        Assert.Equal("state-123", query["state"]);
        return query["code"];
    }

    public async Task<(HttpStatusCode Status, JsonElement Body)> TokenAsync(IDictionary<string, string> form)
    {
        using var http = host.CreateClient();
        using var response = await http.PostAsync("/connect/token", new FormUrlEncodedContent(form));
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    public Task<(HttpStatusCode Status, JsonElement Body)> ExchangeAsync(string clientId, string code) => TokenAsync(flow.CodeExchange(clientId, code));

    public Task<(HttpStatusCode Status, JsonElement Body)> RefreshAsync(string clientId, string refreshToken) =>
        TokenAsync(OAuthClientFlow.Refresh(clientId, refreshToken));

    /// <summary>Registers, authorizes and exchanges: the tokens a freshly connected app holds.</summary>
    public async Task<(string ClientId, string AccessToken, string RefreshToken)> ConnectAsync(IEnumerable<string>? workspaceIds = null)
    {
        var clientId = await RegisterPublicClientAsync();
        var (status, tokens) = await ExchangeAsync(clientId, await AuthorizeAsync(clientId, workspaceIds));
        Assert.True(status == HttpStatusCode.OK, tokens.ToString());
        return (clientId, tokens.GetProperty("access_token").GetString()!, tokens.GetProperty("refresh_token").GetString()!);
    }

    public static Dictionary<string, string> RedirectQuery(HttpResponseMessage response)
    {
        Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"Expected a redirect, got {response.StatusCode}");
        var location = response.Headers.Location!;
        return QueryHelpers.ParseQuery(location.Query).ToDictionary(p => p.Key, p => p.Value.ToString());
    }

    /// <summary>
    /// The OAuth error of an authorization response: in the redirect when the client's redirect URI
    /// was already trusted, otherwise in the body of an error page (never redirecting to an unchecked URI).
    /// </summary>
    public static async Task<(string Error, string Description)> ErrorAsync(HttpResponseMessage response)
    {
        if (response.StatusCode == HttpStatusCode.Redirect)
        {
            var query = RedirectQuery(response);
            return (query["error"], query.GetValueOrDefault("error_description", ""));
        }

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var page = await response.Content.ReadAsStringAsync();
        return (WebUtility.HtmlDecode(ErrorCode().Match(page).Groups[1].Value), WebUtility.HtmlDecode(ErrorDescription().Match(page).Groups[1].Value));
    }

    [GeneratedRegex("id=\"error\">([^<]*)<")]
    private static partial Regex ErrorCode();

    [GeneratedRegex("id=\"error-description\">([^<]*)<")]
    private static partial Regex ErrorDescription();
}
