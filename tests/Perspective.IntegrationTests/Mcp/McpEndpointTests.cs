using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Perspective.Identity.Seeding;
using Perspective.Identity.Storage;
using Perspective.Identity.Workspaces;
using Perspective.Keys.Storage;
using Perspective.Keys.Tokens;
using Perspective.Keys.V1;
using Perspective.McpHost.Mcp;

namespace Perspective.IntegrationTests.Mcp;

public sealed class McpEndpointTests(PlatformFactory factory) : IClassFixture<PlatformFactory>
{
    private const string Password = "Mcp-password-123";

    private static readonly string[] WorkspaceTools = ["perspective_list", "perspective_get", "perspective_create", "conversation_list", "conversation_get"];

    [Fact]
    public async Task The_tools_are_named_described_and_annotated()
    {
        var (token, _) = await DemoKeyAsync("Tool catalogue", "acme-research");
        await using var client = await McpTestClient.ConnectAsync(factory, token);

        var tools = await client.ListToolsAsync();

        Assert.Equal(["conversation_get", "conversation_list", "perspective_create", "perspective_get", "perspective_list", "workspace_list"],
            tools.Select(t => t.Name).Order());
        Assert.All(tools, tool => Assert.False(string.IsNullOrWhiteSpace(tool.Description)));
        Assert.All(tools.Where(t => t.Name != "perspective_create"), tool => Assert.True(tool.ProtocolTool.Annotations?.ReadOnlyHint));
        Assert.False(tools.Single(t => t.Name == "perspective_create").ProtocolTool.Annotations?.ReadOnlyHint);
        foreach (var tool in tools)
        {
            var properties = tool.JsonSchema.GetProperty("properties");
            Assert.All(properties.EnumerateObject(), p => Assert.True(p.Value.TryGetProperty("description", out _), $"{tool.Name}.{p.Name} has no description."));
            Assert.All(properties.EnumerateObject(), p => Assert.Equal(p.Name.ToLowerInvariant(), p.Name));
        }
    }

    [Theory]
    [InlineData("2025-06-18")]
    [InlineData("2025-11-25")]
    [InlineData("2026-07-28")]
    public async Task Every_protocol_revision_lists_the_keys_workspaces(string protocolVersion)
    {
        var (token, _) = await DemoKeyAsync($"Revision {protocolVersion}", "acme-research");
        await using var client = await McpTestClient.ConnectAsync(factory, token, protocolVersion);

        var result = await client.CallAsync("workspace_list");

        Assert.Equal(["acme-research"], Slugs(result));
    }

    [Fact]
    public async Task Each_tool_works_in_a_workspace_the_key_reaches()
    {
        var (token, workspaces) = await DemoKeyAsync("All tools", "acme-research");
        await using var client = await McpTestClient.ConnectAsync(factory, token);
        var acme = workspaces["acme-research"];

        var listed = await client.CallAsync("workspace_list");
        var first = await client.CallAsync("perspective_list", new { workspace_id = acme, page_size = 1 });
        var second = await client.CallAsync("perspective_list", new { workspace_id = acme, page_size = 1, page_token = first.GetProperty("next_page_token").GetString() });
        var onboarding = new[] { first, second }.SelectMany(p => p.GetProperty("perspectives").EnumerateArray())
            .Single(p => p.GetProperty("title").GetString() == "Onboarding friction interviews");
        var detail = await client.CallAsync("perspective_get", new { workspace_id = acme, perspective_id = onboarding.GetProperty("id").GetString() });
        var conversations = await client.CallAsync("conversation_list", new { workspace_id = acme, perspective_id = onboarding.GetProperty("id").GetString() });
        var conversation = await client.CallAsync("conversation_get",
            new { workspace_id = acme, conversation_id = conversations.GetProperty("conversations")[0].GetProperty("id").GetString() });
        var created = await client.CallAsync("perspective_create", new { workspace_id = acme, title = "Support ticket follow-ups", description = "Asks customers whether the fix worked." });
        var afterCreate = await client.CallAsync("perspective_list", new { workspace_id = acme });

        Assert.Equal([("acme-research", "Acme Research", "owner")], listed.GetProperty("workspaces").EnumerateArray()
            .Select(w => (w.GetProperty("slug").GetString(), w.GetProperty("name").GetString(), w.GetProperty("role").GetString())));
        Assert.Single(first.GetProperty("perspectives").EnumerateArray());
        Assert.False(second.TryGetProperty("next_page_token", out _), "The last page has no next_page_token.");
        Assert.Equal(("live", 2), (detail.GetProperty("status").GetString(), detail.GetProperty("conversation_count").GetInt32()));
        Assert.Contains("talks with customers", detail.GetProperty("description").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(2, conversations.GetProperty("conversations").GetArrayLength());
        Assert.Contains("Agent:", conversation.GetProperty("transcript").GetString());
        Assert.Equal(("draft", acme), (created.GetProperty("status").GetString(), created.GetProperty("workspace_id").GetString()));
        Assert.Equal("Support ticket follow-ups", afterCreate.GetProperty("perspectives")[0].GetProperty("title").GetString());
    }

    [Fact]
    public async Task Every_workspace_tool_refuses_other_workspaces_the_same_way()
    {
        var (token, workspaces) = await DemoKeyAsync("Scoped to Acme", "acme-research");
        await using var client = await McpTestClient.ConnectAsync(factory, token);
        var outside = new[]
        {
            workspaces["northwind-product"], // the user's, but not the key's
            await WorkspaceIdAsync(DemoSeed.OtherWorkspace.Slug), // exists, not the user's
            Guid.NewGuid().ToString(), // does not exist
            "acme-research", // not an id at all
        };

        foreach (var tool in WorkspaceTools)
        {
            var errors = new List<string>();
            foreach (var workspace in outside)
            {
                errors.Add(await client.CallFailingAsync(tool, new
                {
                    workspace_id = workspace, perspective_id = "p", conversation_id = "c", title = "Leak", description = "Should not be created",
                }));
            }

            Assert.Single(errors.Distinct());
            Assert.EndsWith(McpCaller.NotAvailable, errors[0], StringComparison.Ordinal);
        }

        await using var scope = factory.Services.CreateAsyncScope();
        Assert.False(await scope.ServiceProvider.GetRequiredService<McpHost.Content.ContentDataContext>().Perspectives.AnyAsync(p => p.Title == "Leak"));
    }

    [Fact]
    public async Task Content_of_another_workspace_cannot_be_reached_through_a_reachable_one()
    {
        var (token, workspaces) = await DemoKeyAsync("Cross workspace ids", "acme-research");
        await using var client = await McpTestClient.ConnectAsync(factory, token);
        await using var scope = factory.Services.CreateAsyncScope();
        var content = scope.ServiceProvider.GetRequiredService<McpHost.Content.ContentDataContext>();
        var globex = Guid.Parse(await WorkspaceIdAsync(DemoSeed.OtherWorkspace.Slug));
        var secretPerspective = await content.Perspectives.FirstAsync(p => p.WorkspaceId == globex);
        var secretConversation = await content.Conversations.FirstAsync(c => c.WorkspaceId == globex);

        var perspective = await client.CallFailingAsync("perspective_get", new { workspace_id = workspaces["acme-research"], perspective_id = secretPerspective.Id });
        var conversations = await client.CallFailingAsync("conversation_list", new { workspace_id = workspaces["acme-research"], perspective_id = secretPerspective.Id });
        var conversation = await client.CallFailingAsync("conversation_get", new { workspace_id = workspaces["acme-research"], conversation_id = secretConversation.Id });

        Assert.Contains("No perspective with that id exists in this workspace", perspective);
        Assert.Contains("No perspective with that id exists in this workspace", conversations);
        Assert.Contains("No conversation with that id exists in this workspace", conversation);
        Assert.DoesNotContain(secretConversation.Participant, perspective + conversations + conversation);
    }

    [Fact]
    public async Task Invalid_arguments_get_errors_a_model_can_act_on()
    {
        var (token, workspaces) = await DemoKeyAsync("Bad arguments", "acme-research");
        await using var client = await McpTestClient.ConnectAsync(factory, token);
        var acme = workspaces["acme-research"];

        Assert.Contains("page_size must be between 1 and 100", await client.CallFailingAsync("perspective_list", new { workspace_id = acme, page_size = 0 }));
        Assert.Contains("page_size must be between 1 and 100", await client.CallFailingAsync("conversation_list", new { workspace_id = acme, perspective_id = "x", page_size = 101 }));
        Assert.Contains("page_token is not valid", await client.CallFailingAsync("perspective_list", new { workspace_id = acme, page_token = "made-up" }));
        Assert.Contains("title must be 1 to 120 characters", await client.CallFailingAsync("perspective_create", new { workspace_id = acme, title = " ", description = "" }));
        Assert.Contains("status must be 'draft' or 'live'", await client.CallFailingAsync("perspective_create", new { workspace_id = acme, title = "Ok", description = "", status = "published" }));
        Assert.Contains("description must be at most 2000", await client.CallFailingAsync("perspective_create", new { workspace_id = acme, title = "Ok", description = new string('x', 2001) }));
    }

    [Fact]
    public async Task Deleting_the_key_refuses_the_very_next_request()
    {
        var user = await NewUserAsync("deleted-key");
        var created = await user.Keys.CreateMcpKeyAsync(new CreateMcpKeyRequest { Name = "Doomed", WorkspaceIds = { user.WorkspaceId }, Access = McpKeyAccess.ReadWrite });
        await using var client = await McpTestClient.ConnectAsync(factory, created.Token);
        await client.CallAsync("workspace_list");

        await user.Keys.DeleteMcpKeyAsync(new DeleteMcpKeyRequest { KeyId = created.McpKey.Id });

        Assert.Equal(HttpStatusCode.Unauthorized, await McpTestClient.StatusAsync(factory, $"Bearer {created.Token}"));
        await Assert.ThrowsAnyAsync<Exception>(() => client.CallToolAsync("workspace_list").AsTask());
    }

    [Fact]
    public async Task Removing_a_membership_takes_the_workspace_away_at_once()
    {
        var user = await NewUserAsync("removed-member");
        var ownerId = await factory.CreateUserAsync("removed-member-host@perspective.local", Password);
        var shared = await factory.WithWorkspacesAsync(async w =>
        {
            var workspace = await w.CreateWorkspaceAsync($"shared-{Guid.NewGuid():N}"[..20], "Shared", ownerId);
            await w.AddMemberAsync(workspace.Id, user.Id, MembershipRole.Member);
            return workspace.Id.ToString();
        });
        var token = (await user.Keys.CreateMcpKeyAsync(new CreateMcpKeyRequest { Name = "Both", WorkspaceIds = { user.WorkspaceId, shared }, Access = McpKeyAccess.ReadWrite })).Token;
        await using var client = await McpTestClient.ConnectAsync(factory, token);
        Assert.Equal(2, (await client.CallAsync("workspace_list")).GetProperty("workspaces").GetArrayLength());

        await factory.WithWorkspacesAsync(async w => { await w.RemoveMemberAsync(Guid.Parse(shared), user.Id); return 0; });

        var remaining = (await client.CallAsync("workspace_list")).GetProperty("workspaces").EnumerateArray().Select(w => w.GetProperty("id").GetString());
        Assert.Equal([user.WorkspaceId], remaining);
        Assert.EndsWith(McpCaller.NotAvailable, await client.CallFailingAsync("perspective_list", new { workspace_id = shared }), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_legacy_token_reaches_all_current_workspaces_until_revoked()
    {
        var user = await NewUserAsync("legacy-mcp");
        var second = await factory.WithWorkspacesAsync(async w => (await w.CreateWorkspaceAsync($"legacy-{Guid.NewGuid():N}"[..20], "Legacy second", user.Id)).Id.ToString());
        var legacyToken = await GiveLegacyTokenAsync(user.Id);
        await using var client = await McpTestClient.ConnectAsync(factory, legacyToken);

        var ids = (await client.CallAsync("workspace_list")).GetProperty("workspaces").EnumerateArray().Select(w => w.GetProperty("id").GetString()).Order();
        Assert.Equal(new[] { user.WorkspaceId, second }.Order(), ids);
        await client.CallAsync("perspective_list", new { workspace_id = second });

        await user.Keys.RevokeLegacyTokenAsync(new RevokeLegacyTokenRequest());

        Assert.Equal(HttpStatusCode.Unauthorized, await McpTestClient.StatusAsync(factory, $"Bearer {legacyToken}"));
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData("Bearer pmk_thisIsNotAValidKeyAtAll1234567890abcdef", true)]
    [InlineData("Bearer 0123456789abcdef0123456789abcdef0123456789abcdef", true)]
    [InlineData("Basic ZGVtbzpkZW1v", true)]
    public async Task Missing_or_bad_credentials_get_401_pointing_at_the_resource_metadata(string? authorization, bool credentialPresented)
    {
        using var http = factory.CreateClient();
        using var request = McpTestClient.ToolsListRequest(authorization);

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var expected = credentialPresented
            ? $"Bearer error=\"invalid_token\", resource_metadata=\"{PlatformFactory.PublicBaseUrl}/.well-known/oauth-protected-resource/mcp\", scope=\"mcp:read mcp:write\""
            : $"Bearer resource_metadata=\"{PlatformFactory.PublicBaseUrl}/.well-known/oauth-protected-resource/mcp\", scope=\"mcp:read mcp:write\"";
        Assert.Equal(expected, response.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task A_well_formed_key_that_was_never_issued_is_refused()
    {
        var status = await McpTestClient.StatusAsync(factory, $"Bearer {McpKeyToken.Generate()}");

        Assert.Equal(HttpStatusCode.Unauthorized, status);
    }

    [Theory]
    [InlineData("/.well-known/oauth-protected-resource")]
    [InlineData("/.well-known/oauth-protected-resource/mcp")]
    public async Task The_protected_resource_metadata_is_exact(string path)
    {
        using var http = factory.CreateClient();

        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("Origin", "https://inspector.example");

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("*", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(
            $$"""{"resource":"{{PlatformFactory.PublicBaseUrl}}/mcp","authorization_servers":["{{PlatformFactory.PublicBaseUrl}}/"],"scopes_supported":["mcp:read","mcp:write"],"bearer_methods_supported":["header"],"resource_name":"Perspective MCP server"}""",
            JsonSerializer.Serialize(document.RootElement));
    }

    [Fact]
    public async Task Last_use_is_shown_at_once_written_in_batches_and_survives_a_restart()
    {
        var dataDirectory = Directory.CreateTempSubdirectory("perspective-restart-").FullName;
        try
        {
            string keyId;
            Google.Protobuf.WellKnownTypes.Timestamp? shownBeforeRestart;
            using (var host = PlatformFactory.OnData(dataDirectory, b => b.UseSetting("Keys:LastUsed:FlushInterval", "01:00:00")))
            {
                var user = await NewUserAsync(host, "last-used");
                var created = await user.Keys.CreateMcpKeyAsync(new CreateMcpKeyRequest { Name = "Used", WorkspaceIds = { user.WorkspaceId }, Access = McpKeyAccess.ReadWrite });
                keyId = created.McpKey.Id;
                await using (var client = await McpTestClient.ConnectAsync(host, created.Token))
                {
                    for (var i = 0; i < 5; i++)
                    {
                        await client.CallAsync("workspace_list");
                    }
                }

                shownBeforeRestart = Assert.Single((await user.Keys.ListMcpKeysAsync(new ListMcpKeysRequest())).McpKeys).LastUsedTime;
                Assert.NotNull(shownBeforeRestart);
                Assert.InRange(shownBeforeRestart.ToDateTime(), DateTime.UtcNow.AddMinutes(-2), DateTime.UtcNow);
                Assert.Equal(0, shownBeforeRestart.ToDateTime().Second);
                Assert.Null(await host.StoredLastUseAsync(keyId));
            }

            // Stopping the host wrote what was pending; a new host on the same data reads it back.
            using var restarted = PlatformFactory.OnData(dataDirectory);
            Assert.Equal(shownBeforeRestart.ToDateTime(), await restarted.StoredLastUseAsync(keyId));
            var keys = new McpKeyService.McpKeyServiceClient(restarted.CreateGrpcChannel(await restarted.SignInAsync("last-used@perspective.local", Password)));
            Assert.Equal(shownBeforeRestart, Assert.Single((await keys.ListMcpKeysAsync(new ListMcpKeysRequest())).McpKeys).LastUsedTime);
        }
        finally
        {
            TestDatabase.Delete(dataDirectory);
        }
    }

    [Fact]
    public async Task Repeated_failures_from_one_address_get_429_while_valid_keys_still_work()
    {
        using var strict = factory.WithWebHostBuilder(builder => builder.UseSetting("Mcp:FailedAuthentication:Limit", "3"));
        var (token, _) = await DemoKeyAsync("Throttled neighbour", "acme-research");
        using var http = strict.CreateClient();
        var bad = McpKeyToken.Generate();

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            using var response = await http.SendAsync(McpTestClient.ToolsListRequest($"Bearer {bad}"));
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Assert.InRange(response.Headers.RetryAfter?.Delta ?? TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60));
            }
        }

        using var valid = await http.SendAsync(McpTestClient.ToolsListRequest($"Bearer {token}"));
        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses);
        Assert.Equal(HttpStatusCode.OK, valid.StatusCode);
    }

    private Task<(string Token, Dictionary<string, string> Workspaces)> DemoKeyAsync(string name, params string[] slugs) =>
        factory.CreateDemoKeyAsync(name, slugs);

    private Task<TestUser> NewUserAsync(string name) => NewUserAsync(factory, name);

    private static async Task<TestUser> NewUserAsync(PlatformFactory host, string name)
    {
        var email = $"{name}@perspective.local";
        var id = await host.CreateUserAsync(email, Password);
        var workspace = await host.WithWorkspacesAsync(async w => (await w.CreateWorkspaceAsync($"{name}-{Guid.NewGuid():N}"[..30], name, id)).Id.ToString());
        var keys = new McpKeyService.McpKeyServiceClient(host.CreateGrpcChannel(await host.SignInAsync(email, Password)));
        return new TestUser(id, email, workspace, keys);
    }

    private async Task<string> GiveLegacyTokenAsync(string userId)
    {
        var token = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()) + Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<KeysDataContext>();
        db.LegacyTokens.Add(new Perspective.Keys.Storage.LegacyToken { UserId = userId, TokenHash = TokenHashing.Hash(token), TokenHint = token[^4..], CreateTime = DateTime.UtcNow });
        await db.SaveChangesAsync();
        return token;
    }

    private async Task<string> WorkspaceIdAsync(string slug)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return (await scope.ServiceProvider.GetRequiredService<IdentityDataContext>().Workspaces.SingleAsync(w => w.Slug == slug)).Id.ToString();
    }



    private static IEnumerable<string?> Slugs(JsonElement workspaceList) =>
        workspaceList.GetProperty("workspaces").EnumerateArray().Select(w => w.GetProperty("slug").GetString());

    private sealed record TestUser(string Id, string Email, string WorkspaceId, McpKeyService.McpKeyServiceClient Keys);
}
