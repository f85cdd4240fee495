using System.Data.Common;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Perspective.Activity.Recording;
using Perspective.Activity.Storage;
using Perspective.Activity.Storage.Postgres;
using Perspective.Admin.V1;
using Perspective.Connectedapps.V1;
using Perspective.Identity.OAuth;
using Perspective.Identity.Storage;
using Perspective.Identity.Storage.Postgres;
using Perspective.Keys.Storage;
using Perspective.Keys.Storage.Postgres;
using Perspective.Keys.V1;
using Perspective.McpHost.Admin;
using Perspective.McpHost.Admin.Postgres;
using Perspective.McpHost.Content;
using Perspective.McpHost.Content.Postgres;
using Perspective.Platform.Storage;
using AppsListActivity = Perspective.Connectedapps.V1.ListConnectedAppActivityRequest;
using KeysListActivity = Perspective.Keys.V1.ListMcpKeyActivityRequest;

namespace Perspective.IntegrationTests.Activity;

/// <summary>
/// "See what each credential did": a tool call that changed data is recorded when it happens with every
/// detail, reading calls are counted per tool and day without a database write on the request, and only
/// the credential's owner (or an admin) can list them.
/// </summary>
public sealed class CredentialActivityTests : IClassFixture<PlatformFactory>
{
    private const string Password = "Activity-password-1";
    private const string ClientAddress = "203.0.113.7";

    private readonly PlatformFactory factory;
    private readonly WriteCounter writes = new();
    private readonly WebApplicationFactory<Program> host;

    public CredentialActivityTests(PlatformFactory factory)
    {
        this.factory = factory;
        host = factory.WithWebHostBuilder(builder => builder
            // No background write during a test: flushes happen when a test asks for them.
            .UseSetting("Keys:LastUsed:FlushInterval", "01:00:00")
            .UseSetting("Activity:FlushInterval", "01:00:00")
            .ConfigureTestServices(services =>
        {
            services.AddSingleton<IStartupFilter, FixedClientAddress>();
            writes.AddTo<IdentityDataContext, PostgresIdentityDataContext>(services);
            writes.AddTo<KeysDataContext, PostgresKeysDataContext>(services);
            writes.AddTo<ContentDataContext, PostgresContentDataContext>(services);
            writes.AddTo<AdminDataContext, PostgresAdminDataContext>(services);
            writes.AddTo<ActivityDataContext, PostgresActivityDataContext>(services);
        }));
    }

    [Fact]
    public async Task A_perspective_created_through_a_key_is_recorded_with_every_detail()
    {
        var user = await NewUserAsync();
        var (keyId, token) = await CreateKeyAsync(user);
        var before = DateTime.UtcNow.AddSeconds(-1);

        var created = await CallToolAsync(token, "perspective_create", new { workspace_id = user.WorkspaceId, title = "Churn interviews", description = "Why customers leave." });

        var activity = await user.Keys.ListMcpKeyActivityAsync(new KeysListActivity { KeyId = keyId });
        var call = Assert.Single(activity.ToolCalls);
        Assert.Equal("perspective_create", call.Tool);
        Assert.Equal(user.WorkspaceId, call.WorkspaceId);
        Assert.Equal("Activity workspace", call.WorkspaceName);
        Assert.Equal(created.GetProperty("id").GetString(), call.ObjectId);
        Assert.InRange(call.Time.ToDateTime(), before, DateTime.UtcNow.AddSeconds(1));
        Assert.Equal("activity-test", call.Client);
        Assert.Equal(ClientAddress, call.Address);
        Assert.NotEmpty(call.Id);
        Assert.Empty(activity.NextPageToken);

        // Nothing a caller presented is kept: no token, nor any part of one.
        await using var scope = host.Services.CreateAsyncScope();
        var stored = await scope.ServiceProvider.GetRequiredService<ActivityDataContext>().ToolCalls.AsNoTracking().SingleAsync(c => c.CredentialId == keyId);
        Assert.DoesNotContain(token[^8..], JsonSerializer.Serialize(stored), StringComparison.Ordinal);
        Assert.Equal((CredentialKinds.McpKey, user.Id), (stored.CredentialKind, stored.UserId));
    }

    [Fact]
    public async Task A_refused_writing_call_is_not_recorded()
    {
        var user = await NewUserAsync();
        var (keyId, token) = await CreateKeyAsync(user);
        var (readOnlyKeyId, readOnlyToken) = await CreateKeyAsync(user, "Read-only key", McpKeyAccess.ReadOnly);

        await CallToolAsync(token, "perspective_create", new { workspace_id = user.WorkspaceId, title = "", description = "" }, expectError: true);
        await CallToolAsync(token, "perspective_create", new { workspace_id = Guid.NewGuid().ToString(), title = "Elsewhere", description = "" }, expectError: true);
        await CallToolAsync(readOnlyToken, "perspective_create", new { workspace_id = user.WorkspaceId, title = "Read only", description = "" }, expectError: true);

        Assert.Empty((await user.Keys.ListMcpKeyActivityAsync(new KeysListActivity { KeyId = keyId })).ToolCalls);
        Assert.Empty((await user.Keys.ListMcpKeyActivityAsync(new KeysListActivity { KeyId = readOnlyKeyId })).ToolCalls);
    }

    [Fact]
    public async Task Reading_calls_write_nothing_on_the_request_and_are_counted_per_tool_and_day()
    {
        var user = await NewUserAsync();
        var (keyId, token) = await CreateKeyAsync(user);
        await CallToolAsync(token, "workspace_list", new { });

        var writesBefore = writes.Writes;
        await CallToolAsync(token, "workspace_list", new { });
        await CallToolAsync(token, "perspective_list", new { workspace_id = user.WorkspaceId });
        await CallToolAsync(token, "perspective_list", new { workspace_id = user.WorkspaceId });
        Assert.Equal(0, writes.Writes - writesBefore);

        // Shown at once from this host's memory, and the same once written.
        Assert.Equal([("perspective_list", 2L), ("workspace_list", 2L)], await DailyReadsAsync(user, keyId));
        await FlushAsync();
        Assert.Equal([("perspective_list", 2L), ("workspace_list", 2L)], await DailyReadsAsync(user, keyId));

        // A later flush adds to the stored counters.
        await CallToolAsync(token, "workspace_list", new { });
        await FlushAsync();
        Assert.Equal([("perspective_list", 2L), ("workspace_list", 3L)], await DailyReadsAsync(user, keyId));

        var day = Assert.Single((await user.Keys.ListMcpKeyActivityAsync(new KeysListActivity { KeyId = keyId })).DailyReads.Select(r => r.Day).Distinct());
        Assert.Equal(DateTime.UtcNow.Date, day.ToDateTime());
    }

    [Fact]
    public async Task A_connected_app_s_calls_are_its_activity()
    {
        var user = await NewUserAsync();
        var (clientId, accessToken, _) = await new OAuthTestClient(host, user.Cookies).ConnectAsync([user.WorkspaceId]);
        var apps = new ConnectedAppService.ConnectedAppServiceClient(host.CreateGrpcChannel(user.Cookies));
        var appId = (await apps.ListConnectedAppsAsync(new ListConnectedAppsRequest())).ConnectedApps.Single(a => a.ClientId == clientId).Id;

        var created = await CallToolAsync(accessToken, "perspective_create", new { workspace_id = user.WorkspaceId, title = "Through OAuth", description = "" });
        await CallToolAsync(accessToken, "perspective_list", new { workspace_id = user.WorkspaceId });

        var activity = await apps.ListConnectedAppActivityAsync(new AppsListActivity { ConnectedAppId = appId });
        var call = Assert.Single(activity.ToolCalls);
        Assert.Equal(("perspective_create", user.WorkspaceId, created.GetProperty("id").GetString(), "activity-test", ClientAddress),
            (call.Tool, call.WorkspaceId, call.ObjectId, call.Client, call.Address));
        Assert.Equal(("perspective_list", 1L), (Assert.Single(activity.DailyReads).Tool, activity.DailyReads[0].Count));

        // The admin sees the same.
        var admin = await AdminAsync();
        var seen = await admin.ListConnectedAppActivityAsync(new Perspective.Admin.V1.ListConnectedAppActivityRequest { UserId = user.Id, ConnectedAppId = appId });
        Assert.Equal(call, Assert.Single(seen.ToolCalls));
    }

    [Fact]
    public async Task Tool_calls_are_paged_newest_first()
    {
        var user = await NewUserAsync();
        var (keyId, token) = await CreateKeyAsync(user);
        var ids = new List<string?>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add((await CallToolAsync(token, "perspective_create", new { workspace_id = user.WorkspaceId, title = $"P{i}", description = "" })).GetProperty("id").GetString());
        }

        var first = await user.Keys.ListMcpKeyActivityAsync(new KeysListActivity { KeyId = keyId, PageSize = 2 });
        var second = await user.Keys.ListMcpKeyActivityAsync(new KeysListActivity { KeyId = keyId, PageSize = 2, PageToken = first.NextPageToken });

        Assert.Equal(ids.AsEnumerable().Reverse(), first.ToolCalls.Concat(second.ToolCalls).Select(c => c.ObjectId));
        Assert.Empty(second.NextPageToken);
    }

    [Fact]
    public async Task The_admin_sees_any_user_s_key_activity()
    {
        var user = await NewUserAsync();
        var (keyId, token) = await CreateKeyAsync(user);
        await CallToolAsync(token, "perspective_create", new { workspace_id = user.WorkspaceId, title = "Seen by the admin", description = "" });
        await CallToolAsync(token, "workspace_list", new { });

        var admin = await AdminAsync();
        var activity = await admin.ListMcpKeyActivityAsync(new Perspective.Admin.V1.ListMcpKeyActivityRequest { KeyId = keyId });

        Assert.Equal("perspective_create", Assert.Single(activity.ToolCalls).Tool);
        Assert.Equal(("workspace_list", 1L), (Assert.Single(activity.DailyReads).Tool, activity.DailyReads[0].Count));
        Assert.Equal(StatusCode.NotFound, (await FailsAsync(admin.ListMcpKeyActivityAsync(
            new Perspective.Admin.V1.ListMcpKeyActivityRequest { KeyId = Guid.NewGuid().ToString("N") }))).StatusCode);
    }

    [Fact]
    public async Task Another_user_s_key_or_app_and_a_deleted_key_are_not_found()
    {
        var owner = await NewUserAsync();
        var (keyId, _) = await CreateKeyAsync(owner);
        var (clientId, _, _) = await new OAuthTestClient(host, owner.Cookies).ConnectAsync([owner.WorkspaceId]);
        var appId = (await new ConnectedAppService.ConnectedAppServiceClient(host.CreateGrpcChannel(owner.Cookies))
            .ListConnectedAppsAsync(new ListConnectedAppsRequest())).ConnectedApps.Single(a => a.ClientId == clientId).Id;
        var other = await NewUserAsync();
        var otherApps = new ConnectedAppService.ConnectedAppServiceClient(host.CreateGrpcChannel(other.Cookies));

        var key = await FailsAsync(other.Keys.ListMcpKeyActivityAsync(new KeysListActivity { KeyId = keyId }));
        var app = await FailsAsync(otherApps.ListConnectedAppActivityAsync(new AppsListActivity { ConnectedAppId = appId }));
        await owner.Keys.DeleteMcpKeyAsync(new DeleteMcpKeyRequest { KeyId = keyId });
        var deleted = await FailsAsync(owner.Keys.ListMcpKeyActivityAsync(new KeysListActivity { KeyId = keyId }));

        Assert.Equal((StatusCode.NotFound, "You have no MCP key with that id. It may have been deleted."), (key.StatusCode, key.Status.Detail));
        Assert.Equal(StatusCode.NotFound, app.StatusCode);
        Assert.Equal(StatusCode.NotFound, deleted.StatusCode);
    }

    [Theory]
    [InlineData("", 0, "", "key_id")]
    [InlineData("not-a-key", 0, "", "key_id")]
    [InlineData("0123456789ABCDEF0123456789ABCDEF", 0, "", "key_id")]
    [InlineData(null, -1, "", "page_size")]
    [InlineData(null, 0, "garbage", "page_token")]
    [InlineData(null, 0, "other-list", "page_token")]
    public async Task Bad_inputs_are_invalid_arguments_that_name_the_field(string? keyId, int pageSize, string pageToken, string field)
    {
        var user = await NewUserAsync();
        var (ownKeyId, _) = await CreateKeyAsync(user);
        if (pageToken == "other-list")
        {
            // A token of another key's list.
            var (otherKeyId, otherToken) = await CreateKeyAsync(user, "Second key");
            for (var i = 0; i < 2; i++)
            {
                await CallToolAsync(otherToken, "perspective_create", new { workspace_id = user.WorkspaceId, title = $"T{i}", description = "" });
            }

            pageToken = (await user.Keys.ListMcpKeyActivityAsync(new KeysListActivity { KeyId = otherKeyId, PageSize = 1 })).NextPageToken;
            Assert.NotEmpty(pageToken);
        }

        var error = await FailsAsync(user.Keys.ListMcpKeyActivityAsync(new KeysListActivity { KeyId = keyId ?? ownKeyId, PageSize = pageSize, PageToken = pageToken }));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains(field, error.Status.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not-an-app")]
    public async Task A_malformed_connected_app_id_is_an_invalid_argument(string appId)
    {
        var user = await NewUserAsync();
        var apps = new ConnectedAppService.ConnectedAppServiceClient(host.CreateGrpcChannel(user.Cookies));

        var error = await FailsAsync(apps.ListConnectedAppActivityAsync(new AppsListActivity { ConnectedAppId = appId }));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("connected_app_id", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_sign_in_activity_is_unauthenticated()
    {
        var keys = new McpKeyService.McpKeyServiceClient(host.CreateGrpcChannel());

        var error = await FailsAsync(keys.ListMcpKeyActivityAsync(new KeysListActivity { KeyId = Guid.NewGuid().ToString("N") }));

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
    }

    private sealed record TestUser(string Id, string WorkspaceId, CookieContainer Cookies, McpKeyService.McpKeyServiceClient Keys);

    private async Task<TestUser> NewUserAsync()
    {
        var email = $"activity-{Guid.NewGuid():N}@perspective.local";
        var id = await factory.CreateUserAsync(email, Password);
        var workspace = await factory.WithWorkspacesAsync(w => w.CreateWorkspaceAsync($"act-{Guid.NewGuid():N}"[..24], "Activity workspace", id));
        var cookies = await host.SignInAsync(email, Password);
        return new TestUser(id, workspace.Id.ToString(), cookies, new McpKeyService.McpKeyServiceClient(host.CreateGrpcChannel(cookies)));
    }

    private static async Task<(string KeyId, string Token)> CreateKeyAsync(
        TestUser user, string name = "Activity key", McpKeyAccess access = McpKeyAccess.ReadWrite)
    {
        var created = await user.Keys.CreateMcpKeyAsync(new CreateMcpKeyRequest { Name = name, WorkspaceIds = { user.WorkspaceId }, Access = access });
        return (created.McpKey.Id, created.Token);
    }

    /// <summary>One tools/call request, as a client named "activity-test" sends it.</summary>
    private async Task<JsonElement> CallToolAsync(string token, string tool, object arguments, bool expectError = false)
    {
        using var http = host.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/mcp")
        {
            Content = new StringContent(JsonSerializer.Serialize(new { jsonrpc = "2.0", id = 1, method = "tools/call", @params = new { name = tool, arguments } }),
                Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        request.Headers.Add("MCP-Protocol-Version", "2025-06-18");
        request.Headers.UserAgent.ParseAdd("activity-test/1.0");
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);

        // Streamable HTTP may answer as one server-sent event.
        var json = body.StartsWith('{') ? body : body.Split('\n').Single(line => line.StartsWith("data:", StringComparison.Ordinal))["data:".Length..];
        var result = JsonDocument.Parse(json).RootElement.GetProperty("result");
        Assert.Equal(expectError, result.TryGetProperty("isError", out var isError) && isError.GetBoolean());
        var text = result.GetProperty("content")[0].GetProperty("text").GetString()!;
        return expectError ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    private async Task<List<(string Tool, long Count)>> DailyReadsAsync(TestUser user, string keyId) =>
        (await user.Keys.ListMcpKeyActivityAsync(new KeysListActivity { KeyId = keyId })).DailyReads.Select(r => (r.Tool, r.Count)).ToList();

    private Task FlushAsync() => host.Services.GetServices<IHostedService>().OfType<ReadCountFlusher>().Single().FlushAsync(CancellationToken.None);

    private static async Task<RpcException> FailsAsync<T>(AsyncUnaryCall<T> call) => await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync);

    private async Task<AdminService.AdminServiceClient> AdminAsync()
    {
        using var http = host.CreateClient();
        using var response = await http.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials", ["client_id"] = PlatformFactory.AdminClientId,
            ["client_secret"] = PlatformFactory.AdminClientSecret, ["scope"] = OAuthScopes.Admin,
        }));
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.True(response.IsSuccessStatusCode, body.ToString());
        var token = body.GetProperty("access_token").GetString()!;
        return new AdminService.AdminServiceClient(Grpc.Net.Client.GrpcChannel.ForAddress(host.Server.BaseAddress, new Grpc.Net.Client.GrpcChannelOptions
        {
            HttpHandler = host.Server.CreateHandler(),
            Credentials = ChannelCredentials.Create(ChannelCredentials.SecureSsl, CallCredentials.FromInterceptor((_, metadata) =>
            {
                metadata.Add("authorization", $"Bearer {token}");
                return Task.CompletedTask;
            })),
        }));
    }

    /// <summary>The in-process server has no client address; this one gives every request the same.</summary>
    private sealed class FixedClientAddress : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                context.Connection.RemoteIpAddress = IPAddress.Parse(ClientAddress);
                return nextMiddleware(context);
            });
            next(app);
        };
    }

    /// <summary>Counts the SQL commands that write (INSERT, UPDATE, DELETE), on every module's context.</summary>
    private sealed class WriteCounter : DbCommandInterceptor
    {
        private long writes;

        public long Writes => Interlocked.Read(ref writes);

        public void AddTo<TContext, TPostgresContext>(IServiceCollection services)
            where TContext : DbContext
            where TPostgresContext : TContext
        {
            if (TestDatabase.Provider == DatabaseProvider.Postgres)
            {
                services.ConfigureDbContext<TPostgresContext>(options => options.AddInterceptors(this));
            }
            else
            {
                services.ConfigureDbContext<TContext>(options => options.AddInterceptors(this));
            }
        }

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            Count(command);
            return ValueTask.FromResult(result);
        }

        public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            Count(command);
            return ValueTask.FromResult(result);
        }

        public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<object> result, CancellationToken cancellationToken = default)
        {
            Count(command);
            return ValueTask.FromResult(result);
        }

        private void Count(DbCommand command)
        {
            var sql = command.CommandText.TrimStart();
            if (sql.StartsWith("INSERT", StringComparison.OrdinalIgnoreCase) || sql.StartsWith("UPDATE", StringComparison.OrdinalIgnoreCase) ||
                sql.StartsWith("DELETE", StringComparison.OrdinalIgnoreCase))
            {
                Interlocked.Increment(ref writes);
            }
        }
    }
}
