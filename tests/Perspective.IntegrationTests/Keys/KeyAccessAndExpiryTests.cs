using System.Net;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Perspective.Keys.Storage;
using Perspective.Keys.V1;

namespace Perspective.IntegrationTests.Keys;

/// <summary>
/// What a key may do and for how long: the access level is chosen at creation (never defaulted), the
/// expiry is optional unless the platform sets a longest lifetime, and an expired key is refused by the
/// MCP endpoint with a message that says so, while it stays listed until deleted. Refusals write nothing.
/// </summary>
public sealed class KeyAccessAndExpiryTests(PlatformFactory factory) : IClassFixture<PlatformFactory>
{
    private readonly KeyServiceUsers users = new(factory);

    [Theory]
    [InlineData(McpKeyAccess.ReadOnly)]
    [InlineData(McpKeyAccess.ReadWrite)]
    public async Task A_key_has_the_access_it_was_created_with(McpKeyAccess access)
    {
        var user = await users.NewAsync($"access-{access}-{Guid.NewGuid():N}"[..30].ToLowerInvariant(), "grpc");
        var workspace = await user.CreateWorkspaceAsync("Access");

        var created = await user.Keys.CreateMcpKeyAsync(new CreateMcpKeyRequest { Name = "Chosen", WorkspaceIds = { workspace }, Access = access });

        Assert.Equal(access, created.McpKey.Access);
        Assert.Null(created.McpKey.ExpireTime);
        Assert.False(created.McpKey.Expired);
        var listed = Assert.Single((await user.Keys.ListMcpKeysAsync(new ListMcpKeysRequest())).McpKeys);
        Assert.Equal(access, listed.Access);
    }

    [Theory]
    [InlineData(0, "Choose what the key may do")]
    [InlineData(7, "access 7 is not an access level")]
    [InlineData(-1, "access -1 is not an access level")]
    public async Task An_access_level_not_chosen_or_unknown_is_an_invalid_argument_about_access(int access, string message)
    {
        var user = await users.NewAsync($"noaccess-{Guid.NewGuid():N}"[..24], "grpc-web");
        var workspace = await user.CreateWorkspaceAsync("No access");

        var error = await Assert.ThrowsAsync<RpcException>(() => user.Keys.CreateMcpKeyAsync(
            new CreateMcpKeyRequest { Name = "Undecided", WorkspaceIds = { workspace }, Access = (McpKeyAccess)access }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal("access", error.Field());
        Assert.Contains(message, error.Status.Detail, StringComparison.Ordinal);
        Assert.Empty((await user.Keys.ListMcpKeysAsync(new ListMcpKeysRequest())).McpKeys);
    }

    public static TheoryData<string, long, int, string> BadExpiries => new()
    {
        { "in the past", -3600, 0, "has already passed" },
        { "now", 0, 0, "has already passed" },
        { "negative nanos", 86400, -1, "is not a valid time" },
        { "nanos beyond a second", 86400, 1_000_000_000, "is not a valid time" },
        { "before 1970", -100L * 365 * 86400, 0, "is not a valid time" },
        { "after the year 9999", 9000L * 365 * 86400, 0, "is not a valid time" },
    };

    [Theory]
    [MemberData(nameof(BadExpiries))]
    public async Task An_expiry_that_is_not_in_the_future_or_not_a_time_is_an_invalid_argument_about_expire_time(
        string what, long secondsFromNow, int nanos, string message)
    {
        var user = await users.NewAsync($"badexp-{Guid.NewGuid():N}"[..24], "grpc");
        var workspace = await user.CreateWorkspaceAsync("Bad expiry");
        var expireTime = new Timestamp { Seconds = DateTimeOffset.UtcNow.ToUnixTimeSeconds() + secondsFromNow, Nanos = nanos };

        var error = await Assert.ThrowsAsync<RpcException>(() => user.Keys.CreateMcpKeyAsync(new CreateMcpKeyRequest
        {
            Name = what, WorkspaceIds = { workspace }, Access = McpKeyAccess.ReadOnly, ExpireTime = expireTime,
        }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal("expire_time", error.Field());
        Assert.Contains(message, error.Status.Detail, StringComparison.Ordinal);
        Assert.Empty((await user.Keys.ListMcpKeysAsync(new ListMcpKeysRequest())).McpKeys);
    }

    [Fact]
    public async Task Without_a_longest_lifetime_keys_may_never_expire_or_expire_at_any_later_time()
    {
        var user = await users.NewAsync($"anyexp-{Guid.NewGuid():N}"[..24], "grpc");
        var workspace = await user.CreateWorkspaceAsync("Any expiry");
        var inTenYears = DateTime.UtcNow.AddYears(10);

        var policy = await user.Keys.GetMcpKeyPolicyAsync(new GetMcpKeyPolicyRequest());
        var created = await user.Keys.CreateMcpKeyAsync(new CreateMcpKeyRequest
        {
            Name = "Decade", WorkspaceIds = { workspace }, Access = McpKeyAccess.ReadOnly, ExpireTime = Timestamp.FromDateTime(inTenYears),
        });

        Assert.Null(policy.MaxLifetime);
        // Stored to the second.
        Assert.Equal(inTenYears.AddTicks(-(inTenYears.Ticks % TimeSpan.TicksPerSecond)), created.McpKey.ExpireTime.ToDateTime());
        Assert.False(created.McpKey.Expired);
    }

    [Fact]
    public async Task A_longest_lifetime_requires_an_expiry_within_it()
    {
        await using var host = factory.WithWebHostBuilder(builder => builder.UseSetting("Keys:MaxLifetime", "30.00:00:00"));
        var user = await new KeyServiceUsers(factory).NewAsync($"maxlife-{Guid.NewGuid():N}"[..24], "grpc", host);
        var workspace = await user.CreateWorkspaceAsync("Max lifetime");
        var keys = new McpKeyService.McpKeyServiceClient(user.Channel);
        CreateMcpKeyRequest Request(string name, DateTime? expires) => new()
        {
            Name = name, WorkspaceIds = { workspace }, Access = McpKeyAccess.ReadOnly, ExpireTime = expires is { } e ? Timestamp.FromDateTime(e) : null,
        };

        var policy = await keys.GetMcpKeyPolicyAsync(new GetMcpKeyPolicyRequest());
        var forever = await Assert.ThrowsAsync<RpcException>(() => keys.CreateMcpKeyAsync(Request("Forever", null)).ResponseAsync);
        var tooLong = await Assert.ThrowsAsync<RpcException>(() => keys.CreateMcpKeyAsync(Request("Too long", DateTime.UtcNow.AddDays(31))).ResponseAsync);
        Assert.Empty((await keys.ListMcpKeysAsync(new ListMcpKeysRequest())).McpKeys);
        var within = await keys.CreateMcpKeyAsync(Request("Within", DateTime.UtcNow.AddDays(29)));

        Assert.Equal(TimeSpan.FromDays(30), policy.MaxLifetime.ToTimeSpan());
        Assert.Equal((StatusCode.InvalidArgument, "expire_time"), (forever.StatusCode, forever.Field()));
        Assert.Contains("must expire within 30 days", forever.Status.Detail, StringComparison.Ordinal);
        Assert.Equal((StatusCode.InvalidArgument, "expire_time"), (tooLong.StatusCode, tooLong.Field()));
        Assert.Contains("may live at most 30 days", tooLong.Status.Detail, StringComparison.Ordinal);
        Assert.Equal("Within", within.McpKey.Name);
    }

    [Theory]
    [InlineData("0.00:00:00")]
    [InlineData("-30.00:00:00")]
    [InlineData("01:00:00")]
    public async Task A_longest_lifetime_under_a_day_stops_the_host(string setting)
    {
        await using var host = factory.WithWebHostBuilder(builder => builder.UseSetting("Keys:MaxLifetime", setting));

        var error = Assert.ThrowsAny<Exception>(() => host.CreateClient());

        Assert.Contains("Keys:MaxLifetime must be at least one day", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_expired_key_is_refused_with_a_401_that_says_so_and_stays_listed_as_expired()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await using var host = factory.WithWebHostBuilder(builder => builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(clock)));
        var user = await new KeyServiceUsers(factory).NewAsync($"expiring-{Guid.NewGuid():N}"[..24], "grpc", host);
        var workspace = await user.CreateWorkspaceAsync("Expiring");
        var keys = new McpKeyService.McpKeyServiceClient(user.Channel);
        var created = await keys.CreateMcpKeyAsync(new CreateMcpKeyRequest
        {
            Name = "Short-lived", WorkspaceIds = { workspace }, Access = McpKeyAccess.ReadOnly,
            ExpireTime = Timestamp.FromDateTime(clock.GetUtcNow().UtcDateTime.AddDays(7)),
        });

        Assert.Equal(HttpStatusCode.OK, await McpTestClient.StatusAsync(host, $"Bearer {created.Token}"));

        clock.Advance(TimeSpan.FromDays(7));
        using var http = host.CreateClient();
        using var refused = await http.SendAsync(McpTestClient.ToolsListRequest($"Bearer {created.Token}"));
        var listed = Assert.Single((await keys.ListMcpKeysAsync(new ListMcpKeysRequest())).McpKeys);

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.StartsWith("Bearer error=\"invalid_token\"", refused.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        var message = await refused.Content.ReadAsStringAsync();
        Assert.Contains("The MCP key 'Short-lived' expired on", message, StringComparison.Ordinal);
        Assert.Contains("Create a new key in Settings → MCP", message, StringComparison.Ordinal);
        Assert.DoesNotContain(created.Token, message, StringComparison.Ordinal);
        Assert.True(listed.Expired);
        Assert.Equal(created.McpKey.ExpireTime, listed.ExpireTime);
        Assert.Contains(factory.Logs.Lines, line => line.Contains("expired_key", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Keys_made_before_access_levels_are_read_and_write_and_never_expire()
    {
        var user = await users.NewAsync($"olderkey-{Guid.NewGuid():N}"[..24], "grpc");

        // A row as the previous version wrote it: without the new columns, which take the migration's defaults.
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<KeysDataContext>();
            await db.Database.ExecuteSqlRawAsync(
                """INSERT INTO "McpKeys" ("Id", "UserId", "Name", "NormalizedName", "TokenHash", "TokenHint", "CreateTime") VALUES ({0}, {1}, 'Older', 'OLDER', {2}, 'abcd', {3})""",
                Guid.CreateVersion7().ToString("N"), user.Id, System.Security.Cryptography.RandomNumberGenerator.GetBytes(32), DateTime.UtcNow);
        }

        var listed = Assert.Single((await user.Keys.ListMcpKeysAsync(new ListMcpKeysRequest())).McpKeys);
        Assert.Equal((McpKeyAccess.ReadWrite, null, false), (listed.Access, listed.ExpireTime, listed.Expired));
    }
}
