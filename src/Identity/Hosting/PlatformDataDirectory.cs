using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace Perspective.Identity.Hosting;

/// <summary>
/// The host's data folder (<c>Platform:DataDirectory</c>, default <c>data</c> under the content root):
/// the SQLite file and the development key-encryption certificate live there.
/// </summary>
public static class PlatformDataDirectory
{
    public const string Setting = "Platform:DataDirectory";

    /// <summary>The folder's full path; nothing is created.</summary>
    public static string PathFrom(IConfiguration configuration, IHostEnvironment environment) =>
        Path.Combine(environment.ContentRootPath, configuration[Setting] ?? "data");

    /// <summary>The folder's full path, created readable by the host's user only if it does not exist yet.</summary>
    public static string EnsureCreated(IConfiguration configuration, IHostEnvironment environment)
    {
        var path = PathFrom(configuration, environment);
        OwnerOnlyFiles.CreateDirectory(path);
        return path;
    }
}
