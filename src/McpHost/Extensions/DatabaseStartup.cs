using Perspective.Identity;
using Perspective.Identity.Seeding;
using Perspective.Keys.Seeding;
using Perspective.McpHost.Admin;
using Perspective.McpHost.Content;
using Perspective.Platform.Storage;

namespace Perspective.McpHost.Extensions;

/// <summary>Brings the database up to date before the host serves anything.</summary>
public static class DatabaseStartup
{
    /// <summary>
    /// Applies every module's migrations in their order, loads or creates the keys all hosts share,
    /// then seeds the demo data when <c>Seed:Demo</c> is on.
    /// </summary>
    public static async Task PrepareDatabaseAsync(this WebApplication app)
    {
        var cancellationToken = app.Lifetime.ApplicationStopping;

        // Hosts starting together on one PostgreSQL database take turns; the later ones find the work done.
        await using var startupLock = await DatabaseStartupLock.AcquireAsync(
            app.Services.GetRequiredService<PlatformDatabaseSettings>(), app.Logger, cancellationToken);
        await app.Services.MigrateModulesAsync(cancellationToken);
        app.Services.LoadSharedKeys();

        var seedDemo = app.Configuration.GetValue<bool>("Seed:Demo");
        await using var scope = app.Services.CreateAsyncScope();
        if (await scope.ServiceProvider.GetRequiredService<AdminClient>().EnsureAsync(seedDemo, cancellationToken) is { } adminSecret)
        {
            // Straight to the console, never through logging: the secret is shown this once and stored only hashed.
            Console.WriteLine($"Admin client {AdminClient.DefaultClientId} created. Get an admin access token with:");
            Console.WriteLine($"  {AdminClient.TokenCommand(app.Configuration, AdminClient.DefaultClientId, adminSecret)}");
        }

        if (seedDemo)
        {
            var demo = await scope.ServiceProvider.GetRequiredService<DemoSeed>().SeedAsync(cancellationToken);
            if (demo.DemoUserCreated)
            {
                // Straight to the console, never through logging, and only when the account is created: not on every start.
                Console.WriteLine($"Demo sign-in (shown only now): {DemoSeed.DemoEmail} / {DemoSeed.DemoPassword}");
            }

            var legacyToken = await scope.ServiceProvider.GetRequiredService<DemoLegacyTokenSeed>().SeedAsync(demo, cancellationToken);
            await scope.ServiceProvider.GetRequiredService<DemoContentSeed>().SeedAsync(demo.WorkspaceIdsBySlug, cancellationToken);
            if (legacyToken is not null)
            {
                // Straight to the console, never through logging: shown this once so the legacy path can be tried.
                Console.WriteLine($"Demo legacy token for {DemoSeed.DemoEmail} (shown only now): {legacyToken}");
            }
        }
    }
}
