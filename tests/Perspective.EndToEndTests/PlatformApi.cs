using System.Net;
using Grpc.Net.Client;
using Perspective.Accounts.V1;
using Perspective.Keys.V1;
using Perspective.Tests.Shared;

namespace Perspective.EndToEndTests;

/// <summary>What a signed-in user does through the real host's public surface: the sign-in form, then gRPC.</summary>
public sealed class PlatformApi(HostProcess host, CookieContainer cookies) : IDisposable
{
    private readonly GrpcChannel channel = GrpcChannel.ForAddress(host.GrpcUrl, new GrpcChannelOptions
    {
        HttpHandler = new SocketsHttpHandler { CookieContainer = cookies, UseCookies = true },
    });

    /// <summary>The session's cookies, for requests made by hand (raw gRPC-Web frames, say).</summary>
    public CookieContainer Cookies => cookies;

    public AccountService.AccountServiceClient Accounts => new(channel);

    public McpKeyService.McpKeyServiceClient Keys => new(channel);

    public Perspective.Connectedapps.V1.ConnectedAppService.ConnectedAppServiceClient ConnectedApps => new(channel);

    /// <summary>The same session (its cookies) against another host, as after a load balancer switched hosts.</summary>
    public PlatformApi On(HostProcess other) => new(other, cookies);

    public static async Task<PlatformApi> SignInAsync(HostProcess host, string email, string password)
    {
        var cookies = new CookieContainer();
        using var http = new HttpClient(new SocketsHttpHandler { CookieContainer = cookies, AllowAutoRedirect = false })
        {
            BaseAddress = new Uri(host.BaseUrl),
        };
        using var response = await SignInForm.SubmitAsync(http, email, password);
        if (response.StatusCode != HttpStatusCode.Redirect)
        {
            throw new InvalidOperationException($"Signing in as {email} failed with {response.StatusCode}.");
        }

        return new PlatformApi(host, cookies);
    }

    /// <summary>Creates an MCP key scoped to the workspaces with these slugs and returns its token.</summary>
    public async Task<string> CreateKeyAsync(string name, params string[] workspaceSlugs)
    {
        var workspaces = (await Accounts.ListMyWorkspacesAsync(new ListMyWorkspacesRequest())).Workspaces;
        var request = new CreateMcpKeyRequest { Name = name, Access = McpKeyAccess.ReadWrite };
        request.WorkspaceIds.AddRange(workspaces.Where(w => workspaceSlugs.Contains(w.Slug)).Select(w => w.Id));
        return (await Keys.CreateMcpKeyAsync(request)).Token;
    }

    public void Dispose() => channel.Dispose();
}
