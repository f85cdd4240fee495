using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenIddict.Server;

namespace Perspective.Identity.OAuth;

/// <summary>
/// How long OAuth grants last (section <c>OAuth</c>): access tokens live <see cref="AccessTokenLifetime"/>;
/// refresh tokens rotate on every use, each valid for <see cref="RefreshTokenSlidingLifetime"/> after it was
/// issued, and none beyond <see cref="RefreshTokenAbsoluteLifetime"/> after the grant was connected (the
/// user's last consent). A grant lapses when its newest refresh token expires unused.
/// </summary>
public sealed class GrantLifetimes
{
    public const string Section = "OAuth";

    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromHours(1);

    public TimeSpan RefreshTokenSlidingLifetime { get; set; } = TimeSpan.FromDays(30);

    public TimeSpan RefreshTokenAbsoluteLifetime { get; set; } = TimeSpan.FromDays(90);

    /// <summary>When the absolute limit of a grant connected at <paramref name="connectTime"/> is reached.</summary>
    public DateTime AbsoluteEnd(DateTime connectTime) => connectTime + RefreshTokenAbsoluteLifetime;

    /// <summary>
    /// When a grant lapses if its app does not refresh before: the sliding window after the last token
    /// was issued (or after connecting), cut at the absolute limit.
    /// </summary>
    public DateTime LapseTime(DateTime connectTime, DateTime? lastIssueTime)
    {
        var sliding = (lastIssueTime is { } last && last > connectTime ? last : connectTime) + RefreshTokenSlidingLifetime;
        var absolute = AbsoluteEnd(connectTime);
        return sliding < absolute ? sliding : absolute;
    }

    internal static void Register(IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<GrantLifetimes>()
            .Bind(configuration.GetSection(Section))
            .Validate(l => l.AccessTokenLifetime > TimeSpan.Zero, "OAuth:AccessTokenLifetime must be positive.")
            .Validate(l => l.RefreshTokenSlidingLifetime > TimeSpan.Zero, "OAuth:RefreshTokenSlidingLifetime must be positive.")
            .Validate(l => l.RefreshTokenAbsoluteLifetime > TimeSpan.Zero, "OAuth:RefreshTokenAbsoluteLifetime must be positive.")
            .Validate(l => l.RefreshTokenSlidingLifetime <= l.RefreshTokenAbsoluteLifetime,
                "OAuth:RefreshTokenSlidingLifetime must not be longer than OAuth:RefreshTokenAbsoluteLifetime.")
            .ValidateOnStart();
        services.AddSingleton<IConfigureOptions<OpenIddictServerOptions>, ServerLifetimes>();
    }

    /// <summary>The defaults OpenIddict applies to tokens without a lifetime of their own (client credentials).</summary>
    private sealed class ServerLifetimes(IOptions<GrantLifetimes> lifetimes) : IConfigureOptions<OpenIddictServerOptions>
    {
        public void Configure(OpenIddictServerOptions options)
        {
            options.AccessTokenLifetime = lifetimes.Value.AccessTokenLifetime;
            options.RefreshTokenLifetime = lifetimes.Value.RefreshTokenSlidingLifetime;
        }
    }
}
