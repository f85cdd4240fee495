using System.Net;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using OpenIddict.Abstractions;
using Perspective.Identity.OAuth;
using Perspective.Keys.V1;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Perspective.IntegrationTests.OAuth;

/// <summary>Each access token is for one audience: an MCP token cannot manage, a management token cannot call the MCP endpoint.</summary>
public sealed class TokenAudienceTests(PlatformFactory factory) : IClassFixture<PlatformFactory>
{
    [Fact]
    public async Task An_mcp_access_token_cannot_call_the_management_services()
    {
        var (oauth, _) = await OAuthTestClient.ForDemoUserAsync(factory);
        var (_, accessToken, _) = await oauth.ConnectAsync();
        var keys = new McpKeyService.McpKeyServiceClient(factory.CreateGrpcChannel());

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            keys.ListMcpKeysAsync(new ListMcpKeysRequest(), new Grpc.Core.Metadata { { "authorization", $"Bearer {accessToken}" } }).ResponseAsync);

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
    }

    [Fact]
    public async Task A_management_token_manages_but_is_refused_at_the_mcp_endpoint()
    {
        var (oauth, _) = await OAuthTestClient.ForDemoUserAsync(factory);
        const string clientId = "first-party-console";
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var applications = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
            var descriptor = new OpenIddictApplicationDescriptor
            {
                ClientId = clientId, ClientType = ClientTypes.Public, ApplicationType = ApplicationTypes.Native, ConsentType = ConsentTypes.Explicit,
                DisplayName = "Perspective console",
            };
            descriptor.RedirectUris.Add(new Uri(OAuthTestClient.Redirect));
            descriptor.Permissions.UnionWith([Permissions.Endpoints.Authorization, Permissions.Endpoints.Token, Permissions.GrantTypes.AuthorizationCode,
                Permissions.ResponseTypes.Code, Permissions.Prefixes.Scope + OAuthScopes.Management]);
            descriptor.AddResourcePermissions(OAuthScopes.ManagementResource);
            await applications.CreateAsync(descriptor);
        }

        var parameters = oauth.AuthorizeParameters(clientId);
        parameters["scope"] = "management";
        parameters["resource"] = OAuthScopes.ManagementResource;
        using var page = await oauth.StartAsync(parameters);
        Assert.Contains("Manage your MCP keys and connected apps.", await page.Content.ReadAsStringAsync());
        using var redirect = await oauth.ConsentAsync(page, "allow");
        var (_, tokens) = await oauth.TokenAsync(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code", ["code"] = OAuthTestClient.RedirectQuery(redirect)["code"], ["redirect_uri"] = OAuthTestClient.Redirect,
            ["client_id"] = clientId, ["code_verifier"] = oauth.Verifier, ["resource"] = OAuthScopes.ManagementResource,
        });
        var managementToken = tokens.GetProperty("access_token").GetString()!;

        var keys = new McpKeyService.McpKeyServiceClient(factory.CreateGrpcChannel());
        await keys.ListMcpKeysAsync(new ListMcpKeysRequest(), new Grpc.Core.Metadata { { "authorization", $"Bearer {managementToken}" } });
        Assert.Equal(HttpStatusCode.Unauthorized, await McpTestClient.StatusAsync(factory, $"Bearer {managementToken}"));
    }
}
