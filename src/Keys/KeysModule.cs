using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Perspective.Identity;
using Perspective.Keys.Management;
using Perspective.Keys.Seeding;
using Perspective.Keys.Storage;
using Perspective.Keys.Storage.Postgres;
using Perspective.Keys.Usage;
using Perspective.Platform.Storage;

namespace Perspective.Keys;

/// <summary>MCP keys and the legacy token: storage, <c>McpKeyService</c> and the demo legacy token.</summary>
public static class KeysModule
{
    public static IHostApplicationBuilder AddKeysModule(this IHostApplicationBuilder builder)
    {
        builder.AddPlatformDbContext<KeysDataContext, PostgresKeysDataContext>(KeysDataContext.MigrationsHistoryTable, KeysDataContext.MigrationOrder);
        builder.Services.AddOptions<McpKeyOptions>()
            .Bind(builder.Configuration.GetSection("Keys"))
            .Validate(options => options.MaxKeysPerUser > 0, "Keys:MaxKeysPerUser must be a positive number.")
            .Validate(options => options.MaxLifetime is null || options.MaxLifetime >= TimeSpan.FromDays(1),
                "Keys:MaxLifetime must be at least one day (such as 90.00:00:00), or unset for keys that may never expire.")
            .ValidateOnStart();
        builder.Services.AddScoped<McpKeyManager>();
        builder.Services.AddSingleton<LastUsedTracker>();
        builder.Services.AddOptions<LastUsedOptions>().Bind(builder.Configuration.GetSection("Keys:LastUsed"));
        builder.Services.AddHostedService<LastUsedFlusher>();
        builder.Services.AddScoped<DemoLegacyTokenSeed>();
        return builder;
    }

    public static IEndpointRouteBuilder MapKeysModule(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGrpcService<McpKeyGrpcService>()
            .EnableGrpcWeb()
            .RequireAuthorization(PlatformPolicies.SignedInUser);
        return endpoints;
    }
}
