using System.Net;
using Grpc.Net.Client;
using Grpc.Net.Client.Web;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Perspective.Identity.Accounts;
using Perspective.Identity.Workspaces;
using Perspective.Tests.Shared;

namespace Perspective.IntegrationTests;

/// <summary>The real host in process, on its own database (see <see cref="TestDatabase"/>) with the demo data seeded.</summary>
public sealed class PlatformFactory : WebApplicationFactory<Program>
{
    private readonly string dataDirectory;
    private readonly bool ownsDataDirectory;
    private readonly Action<IWebHostBuilder>? configure;

    public PlatformFactory()
        : this(Directory.CreateTempSubdirectory("perspective-tests-").FullName, ownsDataDirectory: true)
    {
    }

    /// <summary>A host on the given data folder (a second host on it acts like a restart); the caller keeps the folder.</summary>
    public static PlatformFactory OnData(string dataDirectory, Action<IWebHostBuilder>? configure = null) =>
        new(dataDirectory, ownsDataDirectory: false, configure);

    private PlatformFactory(string dataDirectory, bool ownsDataDirectory, Action<IWebHostBuilder>? configure = null)
    {
        this.dataDirectory = dataDirectory;
        this.ownsDataDirectory = ownsDataDirectory;
        this.configure = configure;
        ClientOptions.BaseAddress = new Uri(PublicBaseUrl + "/");
    }

    public string DataDirectory => dataDirectory;

    public const string PublicBaseUrl = "https://perspective.example";
    public const string AdminClientId = "test-admin";
    public const string AdminClientSecret = "test-admin-secret-for-the-suite";

    public string DatabasePath => Path.Combine(dataDirectory, "platform.db");

    /// <summary>Everything the host logged, at every level.</summary>
    public CapturedLogs Logs { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Database:Provider", TestDatabase.Provider.ToString());
        builder.UseSetting("ConnectionStrings:Platform", TestDatabase.ConnectionString(dataDirectory));
        // The development key-encryption certificate goes with the database, not into the source tree.
        builder.UseSetting("Platform:DataDirectory", dataDirectory);
        builder.UseSetting("Seed:Demo", "true");
        builder.UseSetting("Platform:PublicBaseUrl", PublicBaseUrl);
        builder.UseSetting("Mcp:FailedAuthentication:Limit", "1000");
        builder.UseSetting("Account:FailedSignIn:Limit", "1000");
        builder.UseSetting("OAuth:Registration:PermitPerMinute", "1000");
        builder.UseSetting("Admin:ClientId", AdminClientId);
        builder.UseSetting("Admin:ClientSecret", AdminClientSecret);
        builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Trace).AddProvider(Logs));
        configure?.Invoke(builder);
    }

    // The public origin is https, so the in-process server is reached over https like a real deployment.
    protected override IHost CreateHost(IHostBuilder builder)
    {
        var host = base.CreateHost(builder);
        host.GetTestServer().BaseAddress = new Uri(PublicBaseUrl + "/");
        Logs.MarkStarted();
        return host;
    }

    /// <summary>Creates a user straight in the store and returns their id.</summary>
    public async Task<string> CreateUserAsync(string email, string password)
    {
        await using var scope = Services.CreateAsyncScope();
        var user = new PlatformUser { UserName = email, Email = email, DisplayName = email };
        var result = await scope.ServiceProvider.GetRequiredService<UserManager<PlatformUser>>().CreateAsync(user, password);
        Assert.True(result.Succeeded, string.Join(" ", result.Errors.Select(e => e.Description)));
        return user.Id;
    }

    /// <summary>Runs <paramref name="action"/> with the workspace directory, as an admin tool would.</summary>
    public async Task<T> WithWorkspacesAsync<T>(Func<WorkspaceDirectory, Task<T>> action)
    {
        await using var scope = Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<WorkspaceDirectory>());
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (ownsDataDirectory)
        {
            TestDatabase.Delete(dataDirectory);
        }
    }
}

/// <summary>Clients of an in-process host (the factory itself or one derived with WithWebHostBuilder).</summary>
public static class HostClients
{
    /// <summary>Signs in through the real login form (antiforgery token included) and returns the session cookies.</summary>
    public static async Task<CookieContainer> SignInAsync(this WebApplicationFactory<Program> host, string email, string password)
    {
        var cookies = new CookieContainer();
        using var client = host.CreateBrowserLikeClient(cookies);
        using var response = await SignInForm.SubmitAsync(client, email, password, returnUrl: "/");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", response.Headers.Location?.OriginalString);
        return cookies;
    }

    /// <summary>Signs in as the demo user and creates an MCP key scoped to the workspaces with these slugs; returns it and the demo user's workspace ids by slug.</summary>
    public static async Task<(string Token, Dictionary<string, string> Workspaces)> CreateDemoKeyAsync(
        this WebApplicationFactory<Program> host, string name, params string[] slugs)
    {
        var cookies = await host.SignInAsync(Perspective.Identity.Seeding.DemoSeed.DemoEmail, Perspective.Identity.Seeding.DemoSeed.DemoPassword);
        var accounts = new Perspective.Accounts.V1.AccountService.AccountServiceClient(host.CreateGrpcChannel(cookies));
        var workspaces = (await accounts.ListMyWorkspacesAsync(new Perspective.Accounts.V1.ListMyWorkspacesRequest())).Workspaces.ToDictionary(w => w.Slug, w => w.Id);
        var keys = new Perspective.Keys.V1.McpKeyService.McpKeyServiceClient(host.CreateGrpcChannel(cookies));
        var created = await keys.CreateMcpKeyAsync(new Perspective.Keys.V1.CreateMcpKeyRequest { Name = name, WorkspaceIds = { slugs.Select(s => workspaces[s]) }, Access = Perspective.Keys.V1.McpKeyAccess.ReadWrite });
        return (created.Token, workspaces);
    }

    /// <summary>The last-used time of a key as stored (not as shown, which includes uses not yet flushed).</summary>
    public static async Task<DateTime?> StoredLastUseAsync(this WebApplicationFactory<Program> host, string keyId)
    {
        await using var scope = host.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<Perspective.Keys.Storage.KeysDataContext>().McpKeys
            .Where(k => k.Id == keyId).Select(k => k.LastUsedTime).SingleAsync();
    }

    /// <summary>An HTTP client that keeps cookies in <paramref name="cookies"/> and does not follow redirects.</summary>
    public static HttpClient CreateBrowserLikeClient(this WebApplicationFactory<Program> host, CookieContainer cookies) =>
        new(CookieHandler(host, cookies)) { BaseAddress = host.Server.BaseAddress };

    /// <summary>A native gRPC channel that sends the cookies, as grpcurl or a server-side client would.</summary>
    public static GrpcChannel CreateGrpcChannel(this WebApplicationFactory<Program> host, CookieContainer? cookies = null) =>
        GrpcChannel.ForAddress(host.Server.BaseAddress, new GrpcChannelOptions { HttpHandler = CookieHandler(host, cookies ?? new CookieContainer()) });

    /// <summary>A gRPC-Web channel, the path the Blazor UI takes from the browser.</summary>
    public static GrpcChannel CreateGrpcWebChannel(this WebApplicationFactory<Program> host, CookieContainer? cookies = null) =>
        GrpcChannel.ForAddress(host.Server.BaseAddress, new GrpcChannelOptions
        {
            HttpHandler = new GrpcWebHandler(GrpcWebMode.GrpcWeb, CookieHandler(host, cookies ?? new CookieContainer())),
        });

    private static CookieContainerHandler CookieHandler(WebApplicationFactory<Program> host, CookieContainer cookies) =>
        new(cookies) { InnerHandler = host.Server.CreateHandler() };
}
