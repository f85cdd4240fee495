namespace Perspective.EndToEndTests;

/// <summary>Finds files of this repository from the test's output folder.</summary>
public static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Perspective.Platform.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("The test does not run inside the repository.");
    }
}
