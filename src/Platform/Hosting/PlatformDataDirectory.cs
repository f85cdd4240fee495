using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace Perspective.Platform.Hosting;

/// <summary>
/// The host's data folder (<c>Platform:DataDirectory</c>, default <c>data</c> under the content root):
/// the default SQLite file and the development key-encryption certificate live there.
/// </summary>
public static class PlatformDataDirectory
{
    /// <summary>The folder's full path; a folder the host creates is readable by its user only.</summary>
    public static string EnsureCreated(IConfiguration configuration, IHostEnvironment environment)
    {
        var path = Path.Combine(environment.ContentRootPath, configuration["Platform:DataDirectory"] ?? "data");
        OwnerOnlyFiles.CreateDirectory(path);
        return path;
    }
}
