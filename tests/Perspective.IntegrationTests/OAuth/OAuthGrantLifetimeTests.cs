using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Perspective.Connectedapps.V1;
using Perspective.Identity.OAuth;
using Perspective.Identity.Seeding;

namespace Perspective.IntegrationTests.OAuth;

/// <summary>
/// Stated lifetimes: access tokens 1 hour; refresh tokens rotate, each valid 30 days after it was
/// issued, none beyond 90 days after connecting. Time is the host's clock, moved by the test.
/// </summary>
public sealed class OAuthGrantLifetimeTests(PlatformFactory factory) : IClassFixture<PlatformFactory>
{
    // Token times are stored to the second (as in the tokens themselves).
    private static readonly TimeSpan Precision = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task An_access_token_lasts_an_hour_unless_configured_otherwise()
    {
        var oauth = new OAuthTestClient(factory, await factory.SignInAsync(DemoSeed.DemoEmail, DemoSeed.DemoPassword));
        var clientId = await oauth.RegisterPublicClientAsync();
        var (_, tokens) = await oauth.ExchangeAsync(clientId, await oauth.AuthorizeAsync(clientId));
        using var shorter = factory.WithWebHostBuilder(builder => builder.UseSetting("OAuth:AccessTokenLifetime", "00:10:00"));
        var shortOAuth = new OAuthTestClient(shorter, await shorter.SignInAsync(DemoSeed.DemoEmail, DemoSeed.DemoPassword));
        var shortClientId = await shortOAuth.RegisterPublicClientAsync();
        var (_, shortTokens) = await shortOAuth.ExchangeAsync(shortClientId, await shortOAuth.AuthorizeAsync(shortClientId));

        // expires_in counts whole seconds left when the response is written.
        Assert.InRange(tokens.GetProperty("expires_in").GetInt32(), 3599, 3600);
        Assert.InRange(shortTokens.GetProperty("expires_in").GetInt32(), 599, 600);
    }

    [Theory]
    [InlineData("OAuth:AccessTokenLifetime", "00:00:00", "OAuth:AccessTokenLifetime must be positive.")]
    [InlineData("OAuth:RefreshTokenSlidingLifetime", "-1.00:00:00", "OAuth:RefreshTokenSlidingLifetime must be positive.")]
    [InlineData("OAuth:RefreshTokenSlidingLifetime", "91.00:00:00", "OAuth:RefreshTokenSlidingLifetime must not be longer than OAuth:RefreshTokenAbsoluteLifetime.")]
    [InlineData("OAuth:RefreshTokenAbsoluteLifetime", "7.00:00:00", "OAuth:RefreshTokenSlidingLifetime must not be longer than OAuth:RefreshTokenAbsoluteLifetime.")]
    public void Lifetimes_that_make_no_sense_stop_the_host_at_start(string key, string value, string message)
    {
        using var wrong = factory.WithWebHostBuilder(builder => builder.UseSetting(key, value));

        var error = Assert.ThrowsAny<Exception>(() => wrong.Server);

        Assert.Contains(message, error.ToString());
    }

    [Fact]
    public async Task A_refresh_token_slides_and_the_grant_lapses_after_thirty_days_unused()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        using var host = HostAt(clock);
        var oauth = new OAuthTestClient(host, await host.SignInAsync(DemoSeed.DemoEmail, DemoSeed.DemoPassword));
        var (clientId, _, refresh) = await oauth.ConnectAsync();
        AssertAbout(Now(clock) + TimeSpan.FromDays(30), (await ConnectedAppAsync(host, clientId))!.LapseTime.ToDateTime());

        clock.Advance(TimeSpan.FromDays(29));
        var rotated = await oauth.RefreshAsync(clientId, refresh);
        Assert.Equal(HttpStatusCode.OK, rotated.Status);
        var lapse = Now(clock) + TimeSpan.FromDays(30);
        AssertAbout(lapse, (await ConnectedAppAsync(host, clientId))!.LapseTime.ToDateTime());

        clock.Advance(TimeSpan.FromDays(30) + TimeSpan.FromMinutes(1));
        var late = await oauth.RefreshAsync(clientId, rotated.Body.GetProperty("refresh_token").GetString()!);

        Assert.Equal("invalid_grant", late.Body.GetProperty("error").GetString());
        Assert.Null(await ConnectedAppAsync(host, clientId));
        var grant = await host.GrantOfClientAsync(clientId);
        Assert.Equal(("revoked", GrantRevocationReasons.Lapsed), (grant.Status, grant.Revocation?.Reason));
        AssertAbout(lapse, grant.Revocation!.RevokeTime);
    }

    [Fact]
    public async Task A_grant_used_every_few_weeks_ends_ninety_days_after_connecting()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        using var host = HostAt(clock);
        var oauth = new OAuthTestClient(host, await host.SignInAsync(DemoSeed.DemoEmail, DemoSeed.DemoPassword));
        var (clientId, _, refresh) = await oauth.ConnectAsync();
        var end = Now(clock) + TimeSpan.FromDays(90);
        foreach (var days in new[] { 25, 25, 25, 14 })
        {
            clock.Advance(TimeSpan.FromDays(days));
            var rotated = await oauth.RefreshAsync(clientId, refresh);
            Assert.True(rotated.Status == HttpStatusCode.OK, rotated.Body.ToString());
            refresh = rotated.Body.GetProperty("refresh_token").GetString()!;
        }

        // Day 89: the window would slide to day 119, but the grant ends on day 90.
        AssertAbout(end, (await ConnectedAppAsync(host, clientId))!.LapseTime.ToDateTime());
        clock.Advance(TimeSpan.FromDays(2));
        var late = await oauth.RefreshAsync(clientId, refresh);

        Assert.Equal("invalid_grant", late.Body.GetProperty("error").GetString());
        Assert.Null(await ConnectedAppAsync(host, clientId));
        var grant = await host.GrantOfClientAsync(clientId);
        Assert.Equal(GrantRevocationReasons.Lapsed, grant.Revocation?.Reason);
        AssertAbout(end, grant.Revocation!.RevokeTime);
    }

    [Fact]
    public async Task A_refresh_past_the_absolute_limit_fails_even_while_its_token_is_within_the_sliding_window()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        using var host = HostAt(clock);
        var oauth = new OAuthTestClient(host, await host.SignInAsync(DemoSeed.DemoEmail, DemoSeed.DemoPassword));
        var (clientId, _, refresh) = await oauth.ConnectAsync();
        var connected = Now(clock);

        // The operator lowers the absolute limit to 10 days; the refresh token, issued for 30 days, is 11 days old.
        using var stricter = HostAt(clock, ("OAuth:RefreshTokenSlidingLifetime", "5.00:00:00"), ("OAuth:RefreshTokenAbsoluteLifetime", "10.00:00:00"));
        clock.Advance(TimeSpan.FromDays(11));
        var refused = await new OAuthTestClient(stricter, new CookieContainer()).RefreshAsync(clientId, refresh);

        Assert.Equal("invalid_grant", refused.Body.GetProperty("error").GetString());
        var grant = await host.GrantOfClientAsync(clientId);
        Assert.Equal(("revoked", GrantRevocationReasons.Lapsed), (grant.Status, grant.Revocation?.Reason));
        AssertAbout(connected + TimeSpan.FromDays(10), grant.Revocation!.RevokeTime);
    }

    private WebApplicationFactory<Program> HostAt(ManualClock clock, params (string Key, string Value)[] settings) =>
        factory.WithWebHostBuilder(builder =>
        {
            foreach (var (key, value) in settings)
            {
                builder.UseSetting(key, value);
            }

            builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(clock));
        });

    /// <summary>The app as Connected Apps lists it (signing in anew: the session may be older than the clock's jump); null when not listed.</summary>
    private static async Task<ConnectedApp?> ConnectedAppAsync(WebApplicationFactory<Program> host, string clientId)
    {
        var apps = new ConnectedAppService.ConnectedAppServiceClient(host.CreateGrpcChannel(await host.SignInAsync(DemoSeed.DemoEmail, DemoSeed.DemoPassword)));
        return (await apps.ListConnectedAppsAsync(new ListConnectedAppsRequest { PageSize = 100 })).ConnectedApps.SingleOrDefault(a => a.ClientId == clientId);
    }

    private static DateTime Now(ManualClock clock) => clock.GetUtcNow().UtcDateTime;

    private static void AssertAbout(DateTime expected, DateTime actual) =>
        Assert.InRange(actual, expected - Precision, expected + Precision);
}
