using Microsoft.Extensions.Options;

namespace Perspective.McpHost.Lifecycle;

/// <summary>Readiness and the graceful drain on stop.</summary>
public static class LifecycleExtensions
{
    public static IHostApplicationBuilder AddGracefulDrain(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<HostReadiness>();
        builder.Services.AddOptions<DrainOptions>()
            .Bind(builder.Configuration.GetSection(DrainOptions.Section))
            .Validate(options => options.ShutdownDrainDelay >= TimeSpan.Zero, "Platform:ShutdownDrainDelay must not be negative.")
            .Validate(options => options.ShutdownTimeout > TimeSpan.Zero, "Platform:ShutdownTimeout must be positive.")
            .ValidateOnStart();

        // The host's stop deadline covers the drain delay and then the time in-flight requests get.
        builder.Services.AddOptions<HostOptions>().Configure<IOptions<DrainOptions>>((host, drain) =>
            host.ShutdownTimeout = drain.Value.ShutdownDrainDelay + drain.Value.ShutdownTimeout);
        builder.Services.AddHostedService<GracefulDrain>();
        return builder;
    }
}
