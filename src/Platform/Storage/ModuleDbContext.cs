using Microsoft.EntityFrameworkCore;

namespace Perspective.Platform.Storage;

/// <summary>
/// The base of a module's DbContext: the model conventions every module's tables share. A module's
/// context serves SQLite itself and has a PostgreSQL subclass that owns that provider's migrations
/// (see <see cref="PlatformDatabase"/>), hence the untyped options.
/// </summary>
public abstract class ModuleDbContext(DbContextOptions options) : DbContext(options)
{
    protected override void ConfigureConventions(ModelConfigurationBuilder configuration) => configuration.UsePlatformConventions();
}

/// <summary>The conventions of <see cref="ModuleDbContext"/>, for a context that must derive from another base (Identity's).</summary>
public static class PlatformModelConventions
{
    /// <summary>Every timestamp is stored in UTC and read back as UTC, on either provider.</summary>
    public static ModelConfigurationBuilder UsePlatformConventions(this ModelConfigurationBuilder configuration)
    {
        configuration.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
        return configuration;
    }
}
