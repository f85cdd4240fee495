using System.Net;
using System.Text.RegularExpressions;
using Grpc.Net.Client;
using Grpc.Net.Client.Web;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;
using Microsoft.Data.Sqlite;

namespace Perspective.McpHost.Tests;

/// <summary>The real host in process, on its own SQLite file with the demo data seeded.</summary>
public sealed partial class PlatformFactory : WebApplicationFactory<Program>
{
    private readonly string dataDirectory = Directory.CreateTempSubdirectory("perspective-tests-").FullName;

    public string DatabasePath => Path.Combine(dataDirectory, "platform.db");

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("ConnectionStrings:Platform", $"Data Source={DatabasePath}");
        builder.UseSetting("Seed:Demo", "true");
    }

    /// <summary>An HTTP client that keeps cookies in <paramref name="cookies"/> and does not follow redirects.</summary>
    public HttpClient CreateBrowserLikeClient(CookieContainer cookies) =>
        new(CookieHandler(cookies)) { BaseAddress = Server.BaseAddress };

    /// <summary>A native gRPC channel that sends the cookies, as grpcurl or a server-side client would.</summary>
    public GrpcChannel CreateGrpcChannel(CookieContainer? cookies = null) =>
        GrpcChannel.ForAddress(Server.BaseAddress, new GrpcChannelOptions { HttpHandler = CookieHandler(cookies ?? new CookieContainer()) });

    /// <summary>A gRPC-Web channel, the path the Blazor UI takes from the browser.</summary>
    public GrpcChannel CreateGrpcWebChannel(CookieContainer? cookies = null) =>
        GrpcChannel.ForAddress(Server.BaseAddress, new GrpcChannelOptions
        {
            HttpHandler = new GrpcWebHandler(GrpcWebMode.GrpcWeb, CookieHandler(cookies ?? new CookieContainer())),
        });

    /// <summary>Signs in through the real login form (antiforgery token included) and returns the session cookies.</summary>
    public async Task<CookieContainer> SignInAsync(string email, string password)
    {
        var cookies = new CookieContainer();
        using var client = CreateBrowserLikeClient(cookies);
        using var response = await PostLoginAsync(client, email, password, returnUrl: "/");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", response.Headers.Location?.OriginalString);
        return cookies;
    }

    public static async Task<HttpResponseMessage> PostLoginAsync(HttpClient client, string email, string password, string returnUrl)
    {
        var form = await client.GetStringAsync("/account/login");
        return await client.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Form.Email"] = email,
            ["Form.Password"] = password,
            ["ReturnUrl"] = returnUrl,
            ["__RequestVerificationToken"] = AntiforgeryToken(form),
        }));
    }

    public static string AntiforgeryToken(string html)
    {
        var match = AntiforgeryTokenPattern().Match(html);
        Assert.True(match.Success, "The page has no antiforgery token.");
        return WebUtility.HtmlDecode(match.Groups[1].Value);
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(dataDirectory))
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    private CookieContainerHandler CookieHandler(CookieContainer cookies) =>
        new(cookies) { InnerHandler = Server.CreateHandler() };

    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryTokenPattern();
}
