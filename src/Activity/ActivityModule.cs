using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Perspective.Activity.Reading;
using Perspective.Activity.Recording;
using Perspective.Activity.Storage;
using Perspective.Activity.Storage.Postgres;
using Perspective.Platform.Storage;

namespace Perspective.Activity;

/// <summary>What each MCP credential did: its tool calls that changed data, and its reading calls per tool and day.</summary>
public static class ActivityModule
{
    public static IHostApplicationBuilder AddActivityModule(this IHostApplicationBuilder builder)
    {
        builder.AddPlatformDbContext<ActivityDataContext, PostgresActivityDataContext>(ActivityDataContext.MigrationsHistoryTable, ActivityDataContext.MigrationOrder);
        builder.Services.AddOptions<ActivityOptions>()
            .Bind(builder.Configuration.GetSection(ActivityOptions.Section))
            .Validate(options => options.FlushInterval > TimeSpan.Zero, "Activity:FlushInterval must be a positive time span, such as 00:00:30.")
            .ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ReadCounter>();
        builder.Services.AddHostedService<ReadCountFlusher>();
        builder.Services.AddScoped<ToolCallRecorder>();
        builder.Services.AddScoped<ActivityReader>();
        return builder;
    }
}
