using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Perspective.Platform.Storage;

/// <summary>
/// One module's migrations, registered with its DbContext by <see cref="PlatformDatabase.AddPlatformDbContext{TContext, TPostgresContext}"/>.
/// </summary>
/// <param name="Order">Lower runs first: a module's migrations run after those of the modules whose tables it refers to.
/// Equal orders run in the order the modules were added.</param>
public sealed record ModuleMigration(Type ContextType, int Order);

/// <summary>The one ordered list of every module's migrations, applied at start.</summary>
public static class ModuleMigrations
{
    /// <summary>
    /// Brings every module's tables up to date, in <see cref="ModuleMigration.Order"/>. A SQLite file is
    /// restricted to the host's user before it is first opened, and put in WAL mode once it exists.
    /// </summary>
    public static async Task MigrateModulesAsync(this IServiceProvider services, CancellationToken cancellationToken)
    {
        SqliteFilePermissions.RestrictToOwner(services.GetRequiredService<PlatformDatabaseSettings>());
        foreach (var migration in services.GetServices<ModuleMigration>().OrderBy(m => m.Order))
        {
            await using var scope = services.CreateAsyncScope();
            var db = (DbContext)scope.ServiceProvider.GetRequiredService(migration.ContextType);
            await db.Database.MigrateAsync(cancellationToken);

            // The journal mode belongs to the file: the first module's migrations create it, later calls find WAL set.
            await PlatformDatabase.PrepareAsync(db, cancellationToken);
        }
    }
}
