using Microsoft.AspNetCore.Identity;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Perspective.Identity.Accounts;
using Perspective.Identity.Seeding;
using Perspective.Identity.Storage;
using Perspective.Identity.Storage.Postgres;
using Perspective.Identity.Workspaces;
using Perspective.Platform.Storage;
using Perspective.Tests.Shared;

namespace Perspective.Identity.Tests;

/// <summary>
/// A migrated database with the Identity module's services, one per test: in-memory SQLite, or a
/// fresh PostgreSQL database when the suite runs on PostgreSQL (<see cref="TestDatabaseServer"/>).
/// </summary>
public sealed class IdentityTestDatabase : IAsyncLifetime
{
    private readonly SqliteConnection connection = new("Data Source=:memory:");
    private readonly string postgresDatabase = $"identity_tests_{Guid.NewGuid():N}";
    private ServiceProvider? services;
    private AsyncServiceScope scope;

    public IServiceProvider Services => scope.ServiceProvider;

    public IdentityDataContext Db => Services.GetRequiredService<IdentityDataContext>();

    public WorkspaceDirectory Workspaces => Services.GetRequiredService<WorkspaceDirectory>();

    public async Task InitializeAsync()
    {
        var collection = new ServiceCollection();
        collection.AddLogging();
        collection.AddSingleton(TimeProvider.System);
        if (TestDatabaseServer.Provider == DatabaseProvider.Postgres)
        {
            var settings = new PlatformDatabaseSettings(DatabaseProvider.Postgres, TestDatabaseServer.PostgresConnectionString(postgresDatabase));
            collection.AddDbContext<IdentityDataContext, PostgresIdentityDataContext>(options =>
                options.UsePlatformDatabase(settings, IdentityDataContext.MigrationsHistoryTable));
        }
        else
        {
            await connection.OpenAsync();
            collection.AddDbContext<IdentityDataContext>(options => options.UseSqlite(connection));
        }

        collection.AddIdentityCore<PlatformUser>().AddEntityFrameworkStores<IdentityDataContext>();
        collection.AddScoped<WorkspaceDirectory>();
        collection.AddScoped<DemoSeed>();
        services = collection.BuildServiceProvider(validateScopes: true);
        scope = services.CreateAsyncScope();
        await Db.Database.MigrateAsync();
    }

    public async Task<PlatformUser> CreateUserAsync(string email)
    {
        var user = new PlatformUser { UserName = email, Email = email, DisplayName = email };
        var result = await Services.GetRequiredService<UserManager<PlatformUser>>().CreateAsync(user);
        Assert.True(result.Succeeded, string.Join(" ", result.Errors.Select(e => e.Description)));
        return user;
    }

    public async Task DisposeAsync()
    {
        await scope.DisposeAsync();
        if (services is not null)
        {
            await services.DisposeAsync();
        }

        await connection.DisposeAsync();
        if (TestDatabaseServer.Provider == DatabaseProvider.Postgres)
        {
            TestDatabaseServer.DropPostgresDatabase(postgresDatabase);
        }
    }
}
