using System.Reflection;

namespace Perspective.EndToEndTests.Deployment;

/// <summary>
/// The output of the README's deploy command (<c>dotnet publish src/McpHost -c Release -o publish</c>),
/// which the end-to-end tests run as operators do: in Production. Refuses a stale output, so a test
/// never passes against code older than the build.
/// </summary>
public static class PublishedHost
{
    public const string PublishCommand = "dotnet publish src/McpHost -c Release -o publish";

    private static readonly Lazy<string> Checked = new(Locate);

    /// <summary>The folder holding <c>Perspective.McpHost.dll</c> and its <c>wwwroot</c>.</summary>
    public static string Directory => Checked.Value;

    public static string EntryAssembly => Path.Combine(Directory, "Perspective.McpHost.dll");

#if DEBUG
    private const string BuildConfiguration = "Debug";
#else
    private const string BuildConfiguration = "Release";
#endif

    private static string Locate()
    {
        var directory = Environment.GetEnvironmentVariable("PERSPECTIVE_TEST_PUBLISHED_HOST") is { Length: > 0 } configured
            ? Path.GetFullPath(configured)
            : Path.Combine(RepositoryPaths.Root, "publish");
        var built = typeof(PublishedHost).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "HostOutputDirectory").Value!;
        foreach (var assembly in new[] { "Perspective.McpHost.dll", "Perspective.Identity.dll", "Perspective.Keys.dll" })
        {
            var published = Path.Combine(directory, assembly);
            if (!File.Exists(published) || !File.ReadAllBytes(published).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(built, assembly))))
            {
                throw new InvalidOperationException(
                    $"{published} is missing or differs from the build. Publish the host first, from the repository root: " +
                    $"{PublishCommand.Replace("Release", BuildConfiguration, StringComparison.Ordinal)} (the README test command does).");
            }
        }

        return directory;
    }
}
