using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using OpenIddict.EntityFrameworkCore.Models;

namespace Perspective.Identity.Tests;

/// <summary>
/// Upgrading a database where a user connected the same app several times: the migration that makes
/// grants unique per app and user keeps the newest valid one and revokes the older ones.
/// </summary>
public sealed class OneGrantPerClientMigrationTests : IAsyncLifetime
{
    private static readonly DateTime Start = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    private readonly IdentityTestDatabase database = new();

    public Task InitializeAsync() => database.InitializeAsync();

    public Task DisposeAsync() => database.DisposeAsync();

    [Fact]
    public async Task Upgrading_keeps_only_the_newest_valid_grant_of_each_app_and_user()
    {
        var db = database.Db;
        var migrations = db.Database.GetMigrations().ToList();
        var migrator = db.GetService<IMigrator>();
        await migrator.MigrateAsync(migrations[migrations.FindIndex(m => m.EndsWith("_OAuthGrantLifecycle", StringComparison.Ordinal)) - 1]);

        var app = new OpenIddictEntityFrameworkCoreApplication { ClientId = "connected-twice" };
        var otherApp = new OpenIddictEntityFrameworkCoreApplication { ClientId = "connected-once" };
        var grants = new Dictionary<string, OpenIddictEntityFrameworkCoreAuthorization>
        {
            ["oldest"] = Grant(app, "user-1", days: 0),
            ["older"] = Grant(app, "user-1", days: 1),
            ["newest"] = Grant(app, "user-1", days: 2),
            ["revoked later"] = Grant(app, "user-1", days: 3, status: "revoked"),
            ["ad hoc later"] = Grant(app, "user-1", days: 4, type: "ad-hoc"),
            ["another user"] = Grant(app, "user-2", days: 0),
            ["another app"] = Grant(otherApp, "user-1", days: 0),
        };
        db.AddRange(grants.Values);
        await db.SaveChangesAsync();
        db.ChangeTracker.Clear();

        await migrator.MigrateAsync();

        var statuses = await db.Set<OpenIddictEntityFrameworkCoreAuthorization>().AsNoTracking().ToDictionaryAsync(a => a.Id!, a => a.Status);
        Assert.Equal(
            new Dictionary<string, string?>
            {
                ["oldest"] = "revoked", ["older"] = "revoked", ["newest"] = "valid", ["revoked later"] = "revoked",
                ["ad hoc later"] = "valid", ["another user"] = "valid", ["another app"] = "valid",
            },
            grants.ToDictionary(g => g.Key, g => statuses[g.Value.Id!]));
    }

    private static OpenIddictEntityFrameworkCoreAuthorization Grant(
        OpenIddictEntityFrameworkCoreApplication application, string subject, int days, string status = "valid", string type = "permanent") => new()
    {
        Application = application, Subject = subject, CreationDate = Start.AddDays(days), Status = status, Type = type,
    };
}
