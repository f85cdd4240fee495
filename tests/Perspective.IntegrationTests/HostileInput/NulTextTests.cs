using System.Net;
using Grpc.Core;
using Perspective.Admin.V1;
using Perspective.Identity.Seeding;
using Perspective.Keys.V1;
using Perspective.Tests.Shared;

namespace Perspective.IntegrationTests.HostileInput;

/// <summary>
/// Text with NUL (U+0000) reaches no query: PostgreSQL cannot compare text containing it, so each
/// entry point answers as for any other bad value instead of failing the query (found by fuzzing
/// on PostgreSQL: a client_id with NUL was a 500).
/// </summary>
public sealed class NulTextTests(PlatformFactory factory) : IClassFixture<PlatformFactory>
{
    [Fact]
    public async Task A_grpc_text_field_with_nul_is_an_invalid_argument_naming_the_field()
    {
        var cookies = await factory.SignInAsync(DemoSeed.DemoEmail, DemoSeed.DemoPassword);
        var keys = new McpKeyService.McpKeyServiceClient(factory.CreateGrpcWebChannel(cookies));

        var error = await Assert.ThrowsAsync<RpcException>(() => keys.DeleteMcpKeyAsync(new DeleteMcpKeyRequest { KeyId = "key\0" }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal("key_id must not contain NUL characters (U+0000).", error.Status.Detail);
    }

    [Fact]
    public void Nested_and_repeated_text_fields_are_checked_too()
    {
        var request = new CreateMcpKeyRequest { Name = "Fine", WorkspaceIds = { "a", "b\0" }, Access = McpKeyAccess.ReadWrite };

        Assert.Equal("workspace_ids", McpHost.GrpcInput.TextFieldGuard.FieldWithNul(request));
        Assert.Null(McpHost.GrpcInput.TextFieldGuard.FieldWithNul(new ListAuditEventsRequest { PageToken = "fine" }));
    }

    [Fact]
    public async Task A_tool_argument_with_nul_is_an_error_result()
    {
        var (token, workspaces) = await factory.CreateDemoKeyAsync("Nul arguments", "acme-research");
        await using var client = await McpTestClient.ConnectAsync(factory, token);

        var error = await client.CallFailingAsync("perspective_get", new { workspace_id = workspaces["acme-research"], perspective_id = "p\0" });

        Assert.Equal("perspective_id must not contain NUL characters (U+0000).", error);
    }

    [Fact]
    public async Task A_client_id_with_nul_is_refused_on_the_error_page()
    {
        var oauth = new OAuthTestClient(factory, await factory.SignInAsync(DemoSeed.DemoEmail, DemoSeed.DemoPassword));

        using var response = await oauth.StartAsync(oauth.AuthorizeParameters("client\0id"));

        Assert.Equal("invalid_request", (await OAuthTestClient.ErrorAsync(response)).Error);
    }

    // Found by OAuthEndpointFuzzTests on PostgreSQL (seed 4sGwQRs0jLK8): OpenIddict looked the scope up.
    [Fact]
    public async Task A_scope_with_nul_is_an_invalid_request()
    {
        var oauth = new OAuthTestClient(factory, await factory.SignInAsync(DemoSeed.DemoEmail, DemoSeed.DemoPassword));
        var parameters = oauth.AuthorizeParameters(await oauth.RegisterPublicClientAsync());
        parameters["scope"] = "mcp\0";

        using var response = await oauth.StartAsync(parameters);

        // Refused as the request is read, before the client is known: the error page, never the client.
        Assert.Equal("invalid_request", (await OAuthTestClient.ErrorAsync(response)).Error);
    }

    [Fact]
    public async Task A_sign_in_with_nul_in_the_email_is_refused_without_a_server_error()
    {
        var cookies = new CookieContainer();
        using var client = factory.CreateBrowserLikeClient(cookies);

        using var response = await SignInForm.SubmitAsync(client, "demo\0@perspective.local", DemoSeed.DemoPassword, "/");

        Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.BadRequest, response.StatusCode.ToString());
        Assert.DoesNotContain(cookies.GetCookies(factory.Server.BaseAddress), cookie => cookie.Name.Contains("Identity", StringComparison.Ordinal));
    }
}
