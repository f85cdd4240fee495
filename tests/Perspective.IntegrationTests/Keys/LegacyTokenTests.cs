using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Perspective.Identity.Seeding;
using Perspective.Keys.Storage;
using Perspective.Keys.Tokens;
using Perspective.Keys.V1;

namespace Perspective.IntegrationTests.Keys;

/// <summary>The legacy token from before keys were scoped: shown masked, revoked once, never created.</summary>
public sealed class LegacyTokenTests(PlatformFactory factory) : IClassFixture<PlatformFactory>
{
    private readonly KeyServiceUsers users = new(factory);

    [Theory]
    [MemberData(nameof(KeyServiceUsers.Transports), MemberType = typeof(KeyServiceUsers))]
    public async Task The_legacy_token_is_shown_masked_revoked_once_and_never_created(string transport)
    {
        var userId = await factory.CreateUserAsync($"legacy-{transport}@perspective.local", KeyServiceUsers.Password);
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<KeysDataContext>();
            db.LegacyTokens.Add(new Perspective.Keys.Storage.LegacyToken
            {
                UserId = userId,
                TokenHash = TokenHashing.Hash("0123456789abcdef0123456789abcdef0123456789abcdef"),
                TokenHint = "cdef",
                CreateTime = new DateTime(2025, 3, 4, 5, 6, 7, DateTimeKind.Utc),
            });
            await db.SaveChangesAsync();
        }

        var keys = new McpKeyService.McpKeyServiceClient(users.Channel(transport, await factory.SignInAsync($"legacy-{transport}@perspective.local", KeyServiceUsers.Password)));

        var legacy = (await keys.GetLegacyTokenAsync(new GetLegacyTokenRequest())).LegacyToken;
        Assert.Equal("…cdef", legacy.MaskedToken);
        Assert.Equal(new DateTime(2025, 3, 4, 5, 6, 7, DateTimeKind.Utc), legacy.CreateTime.ToDateTime());
        Assert.Null(legacy.LastUsedTime);

        await keys.RevokeLegacyTokenAsync(new RevokeLegacyTokenRequest());

        var gone = await Assert.ThrowsAsync<RpcException>(() => keys.GetLegacyTokenAsync(new GetLegacyTokenRequest()).ResponseAsync);
        var revokedTwice = await Assert.ThrowsAsync<RpcException>(() => keys.RevokeLegacyTokenAsync(new RevokeLegacyTokenRequest()).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, gone.StatusCode);
        Assert.Equal(StatusCode.NotFound, revokedTwice.StatusCode);
        Assert.Contains("can no longer be created", gone.Status.Detail);
    }

    [Fact]
    public async Task The_demo_user_is_seeded_with_a_legacy_token_and_the_second_user_is_not()
    {
        var demo = await users.DemoAsync("grpc");
        var sam = new McpKeyService.McpKeyServiceClient(users.Channel("grpc", await factory.SignInAsync(DemoSeed.SecondEmail, DemoSeed.SecondPassword)));

        var legacy = (await demo.Keys.GetLegacyTokenAsync(new GetLegacyTokenRequest())).LegacyToken;
        var none = await Assert.ThrowsAsync<RpcException>(() => sam.GetLegacyTokenAsync(new GetLegacyTokenRequest()).ResponseAsync);

        Assert.Matches("^…[0-9a-f]{4}$", legacy.MaskedToken);
        Assert.Equal(StatusCode.NotFound, none.StatusCode);
    }
}
