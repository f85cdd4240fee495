using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Perspective.IntegrationTests.Keys;
using Perspective.Keys.Storage;
using Perspective.Keys.Tokens;
using Perspective.Keys.Usage;
using Perspective.Keys.V1;
using Xunit.Abstractions;

namespace Perspective.IntegrationTests.Mcp;

/// <summary>
/// Read-only really is read-only, per credential and tool class: a read-only key lists and reads but
/// does not see the tools that change data, and calling one anyway, however the call is spelled, changes
/// nothing. Read &amp; write keys and the legacy token use every tool. (OAuth grants: see the OAuth tests.)
/// </summary>
public sealed class ReadOnlyAccessTests(PlatformFactory factory, ITestOutputHelper output) : IClassFixture<PlatformFactory>
{
    private static readonly string[] ReadingTools = ["conversation_get", "conversation_list", "perspective_get", "perspective_list", "workspace_list"];

    private readonly KeyServiceUsers users = new(factory);

    public enum Credential
    {
        ReadOnlyKey,
        ReadWriteKey,
        LegacyToken,
    }

    [Theory]
    [InlineData(Credential.ReadOnlyKey)]
    [InlineData(Credential.ReadWriteKey)]
    [InlineData(Credential.LegacyToken)]
    public async Task Each_credential_sees_and_uses_the_tools_of_its_access_level(Credential credential)
    {
        var (token, workspace) = await CredentialAsync(credential);
        await using var client = await McpTestClient.ConnectAsync(factory, token);
        var mayWrite = credential != Credential.ReadOnlyKey;

        var tools = (await client.ListToolsAsync()).Select(t => t.Name).Order().ToList();
        var before = await PerspectiveCountAsync(client, workspace);

        Assert.Equal(mayWrite ? [.. ReadingTools.Append("perspective_create").Order()] : ReadingTools, tools);
        Assert.Equal(0, before);
        if (mayWrite)
        {
            var created = await client.CallAsync("perspective_create", new { workspace_id = workspace, title = "Written", description = "By a writer" });
            Assert.Equal("Written", created.GetProperty("title").GetString());
            Assert.Equal(1, await PerspectiveCountAsync(client, workspace));
        }
        else
        {
            var refusal = await client.CallFailingAsync("perspective_create", new { workspace_id = workspace, title = "Refused", description = "By a reader" });
            Assert.Equal(
                "perspective_create changes data, and the MCP key 'Key' is read-only. Create a read & write key in Settings → MCP to use it.", refusal);
            Assert.Equal(0, await PerspectiveCountAsync(client, workspace));
        }
    }

    [Fact]
    public async Task A_read_only_key_s_tools_list_answer_names_the_reading_tools_only()
    {
        var (token, _) = await CredentialAsync(Credential.ReadOnlyKey);

        using var http = factory.CreateClient();
        using var response = await http.SendAsync(Post("""{"jsonrpc":"2.0","id":1,"method":"tools/list"}""", token));
        var body = await response.Content.ReadAsStringAsync();
        var json = body.StartsWith("event:", StringComparison.Ordinal) || body.StartsWith("data:", StringComparison.Ordinal)
            ? body.Split('\n').Single(line => line.StartsWith("data:", StringComparison.Ordinal))["data:".Length..]
            : body;
        var tools = System.Text.Json.JsonDocument.Parse(json).RootElement.GetProperty("result").GetProperty("tools").EnumerateArray()
            .Select(t => (Name: t.GetProperty("name").GetString(), ReadOnly: t.GetProperty("annotations").GetProperty("readOnlyHint").GetBoolean()))
            .ToList();
        output.WriteLine(string.Join("\n", tools.Select(t => $"{t.Name} (readOnlyHint: {t.ReadOnly})")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(ReadingTools, tools.Select(t => t.Name).Order());
        Assert.All(tools, t => Assert.True(t.ReadOnly));
    }

    public static TheoryData<string, string> HostileWritingCalls => new()
    {
        { "odd casing", """{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"Perspective_Create","arguments":ARGS}}""" },
        { "surrounding whitespace", """{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":" perspective_create ","arguments":ARGS}}""" },
        { "trailing NUL", """{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"perspective_create\u0000","arguments":ARGS}}""" },
        { "escaped name", """{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"perspective\u005fcreate","arguments":ARGS}}""" },
        { "name twice, writing last", """{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"perspective_list","name":"perspective_create","arguments":ARGS}}""" },
        { "name twice, writing first", """{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"perspective_create","name":"perspective_list","arguments":ARGS}}""" },
        { "params twice", """{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"perspective_list","arguments":ARGS},"params":{"name":"perspective_create","arguments":ARGS}}""" },
        { "method twice", """{"jsonrpc":"2.0","id":7,"method":"tools/list","method":"tools/call","params":{"name":"perspective_create","arguments":ARGS}}""" },
        { "other-cased member", """{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"perspective_list","Name":"perspective_create","arguments":ARGS}}""" },
        { "other-cased method", """{"jsonrpc":"2.0","id":7,"method":"Tools/Call","params":{"name":"perspective_create","arguments":ARGS}}""" },
        { "batch", """[{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"perspective_create","arguments":ARGS}}]""" },
    };

    [Theory]
    [MemberData(nameof(HostileWritingCalls))]
    public async Task A_read_only_key_changes_nothing_however_the_writing_call_is_spelled(string spelling, string body)
    {
        var (token, workspace) = await CredentialAsync(Credential.ReadOnlyKey);
        var arguments = $$"""{"workspace_id":"{{workspace}}","title":"{{spelling}}","description":"hostile"}""";

        using var http = factory.CreateClient();
        using var response = await http.SendAsync(Post(body.Replace("ARGS", arguments, StringComparison.Ordinal), token));
        var text = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.BadRequest, $"{spelling}: {(int)response.StatusCode} {text}");
        Assert.True(text.Contains("\"error\"", StringComparison.Ordinal) || text.Contains("\"isError\":true", StringComparison.Ordinal) ||
                    text.Contains("\"perspectives\"", StringComparison.Ordinal), $"{spelling}: {text}");
        await using var client = await McpTestClient.ConnectAsync(factory, token);
        Assert.Equal(0, await PerspectiveCountAsync(client, workspace));
    }

    [Fact]
    public async Task The_last_use_shows_the_client_it_declared_and_the_address_it_came_from()
    {
        await using var host = FromAddress("203.0.113.7");
        var user = await users.NewAsync($"lastclient-{Guid.NewGuid():N}"[..24], "grpc", host);
        var workspace = await user.CreateWorkspaceAsync("Last client");
        var created = await user.Keys.CreateMcpKeyAsync(new CreateMcpKeyRequest { Name = "Declared", WorkspaceIds = { workspace }, Access = McpKeyAccess.ReadOnly });
        using var http = host.CreateClient();

        // Before the client declares itself, the User-Agent's product names it.
        await SendAsync(http, """{"jsonrpc":"2.0","id":1,"method":"tools/list"}""", created.Token, "Cursor/1.7 (Linux)");
        var beforeFlush = Assert.Single((await user.Keys.ListMcpKeysAsync(new ListMcpKeysRequest())).McpKeys);
        await FlushAsync(host);
        var stored = await StoredUseAsync(host, created.McpKey.Id);

        await SendAsync(http, Initialize("claude-code"), created.Token, "node");
        await SendAsync(http, """{"jsonrpc":"2.0","id":2,"method":"tools/list"}""", created.Token, "node/20.1");
        await FlushAsync(host);
        var declared = Assert.Single((await user.Keys.ListMcpKeysAsync(new ListMcpKeysRequest())).McpKeys);

        Assert.Equal(("Cursor", "203.0.113.7"), (beforeFlush.LastUsedClient, beforeFlush.LastUsedAddress));
        Assert.Equal(("Cursor", "203.0.113.7"), (stored.LastUsedClient, stored.LastUsedAddress));
        // A later request's User-Agent does not replace the name the client declared.
        Assert.Equal(("claude-code", "203.0.113.7"), (declared.LastUsedClient, declared.LastUsedAddress));
        Assert.NotNull(declared.LastUsedTime);
    }

    [Fact]
    public async Task A_hostile_client_name_is_kept_as_one_short_visible_line()
    {
        await using var host = FromAddress("2001:db8::1");
        var user = await users.NewAsync($"hostname-{Guid.NewGuid():N}"[..24], "grpc", host);
        var workspace = await user.CreateWorkspaceAsync("Hostile client");
        var created = await user.Keys.CreateMcpKeyAsync(new CreateMcpKeyRequest { Name = "Named", WorkspaceIds = { workspace }, Access = McpKeyAccess.ReadOnly });
        using var http = host.CreateClient();

        await SendAsync(http, Initialize("Evil\\u202Eedoc\\n\\u0000Client" + new string('x', 10_000)), created.Token, "node");
        await FlushAsync(host);
        var listed = Assert.Single((await user.Keys.ListMcpKeysAsync(new ListMcpKeysRequest())).McpKeys);

        Assert.StartsWith("EviledocClientxxx", listed.LastUsedClient, StringComparison.Ordinal);
        Assert.Equal(64, listed.LastUsedClient.Length);
        Assert.Equal("2001:db8::1", listed.LastUsedAddress);
    }

    private static string Initialize(string clientName) =>
        """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":""" +
        $"\"{clientName}\"" + ""","version":"1.0"}}}""";

    private static async Task SendAsync(HttpClient http, string body, string token, string userAgent)
    {
        using var request = Post(body, token);
        request.Headers.TryAddWithoutValidation("User-Agent", userAgent);
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static HttpRequestMessage Post(string body, string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/mcp") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        request.Headers.Add("MCP-Protocol-Version", "2025-06-18");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    // The in-process server has no network peer: this host sees every request as coming from one address.
    private WebApplicationFactory<Program> FromAddress(string address) =>
        factory.WithWebHostBuilder(builder => builder.ConfigureTestServices(services =>
            services.AddSingleton<IStartupFilter>(new PeerAddress(System.Net.IPAddress.Parse(address)))));

    private static Task FlushAsync(WebApplicationFactory<Program> host) =>
        host.Services.GetServices<IHostedService>().OfType<LastUsedFlusher>().Single().FlushAsync(CancellationToken.None);

    private static async Task<Perspective.Keys.Storage.McpKey> StoredUseAsync(WebApplicationFactory<Program> host, string keyId)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<KeysDataContext>();
        return db.McpKeys.Single(k => k.Id == keyId);
    }

    private async Task<(string Token, string Workspace)> CredentialAsync(Credential credential)
    {
        var user = await users.NewAsync($"ro-{credential}-{Guid.NewGuid():N}"[..28].ToLowerInvariant(), "grpc");
        var workspace = await user.CreateWorkspaceAsync("Read only");
        if (credential == Credential.LegacyToken)
        {
            return (await GiveLegacyTokenAsync(user.Id), workspace);
        }

        var access = credential == Credential.ReadOnlyKey ? McpKeyAccess.ReadOnly : McpKeyAccess.ReadWrite;
        return ((await user.Keys.CreateMcpKeyAsync(new CreateMcpKeyRequest { Name = "Key", WorkspaceIds = { workspace }, Access = access })).Token, workspace);
    }

    private static async Task<int> PerspectiveCountAsync(ModelContextProtocol.Client.McpClient client, string workspace) =>
        (await client.CallAsync("perspective_list", new { workspace_id = workspace, page_size = 100 })).GetProperty("perspectives").GetArrayLength();

    private async Task<string> GiveLegacyTokenAsync(string userId)
    {
        var token = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()) + Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<KeysDataContext>();
        db.LegacyTokens.Add(new Perspective.Keys.Storage.LegacyToken { UserId = userId, TokenHash = TokenHashing.Hash(token), TokenHint = token[^4..], CreateTime = DateTime.UtcNow });
        await db.SaveChangesAsync();
        return token;
    }

    private sealed class PeerAddress(System.Net.IPAddress address) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                context.Connection.RemoteIpAddress = address;
                return nextMiddleware(context);
            });
            next(app);
        };
    }
}
