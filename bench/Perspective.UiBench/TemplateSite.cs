using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Perspective.UiBench;

/// <summary>
/// The baseline: the SDK's blank Blazor WebAssembly template (<c>dotnet new blazorwasm</c>), made in a
/// temporary folder on the repository's ASP.NET Core version, published with <c>dotnet publish -c Release</c>
/// and served as the product serves its UI: <c>MapStaticAssets</c> over the publish output's endpoint
/// manifest (precompressed files by <c>Accept-Encoding</c>, long-lived caching of fingerprinted files),
/// in Production. Nothing of it is kept.
/// </summary>
public sealed partial class TemplateSite : IAsyncDisposable
{
    private const string AppName = "BlankApp";

    private readonly WebApplication app;
    private readonly string? temporary;

    private TemplateSite(WebApplication app, string baseUrl, string? temporary) => (this.app, BaseUrl, this.temporary) = (app, baseUrl, temporary);

    public string BaseUrl { get; }

    /// <summary>Serves <paramref name="publishDirectory"/> (an earlier publish of the template), or makes and publishes a new one.</summary>
    public static async Task<TemplateSite> StartAsync(string repositoryRoot, string? publishDirectory)
    {
        string? temporary = null;
        if (publishDirectory is null)
        {
            temporary = Directory.CreateTempSubdirectory("perspective-uibench-template-").FullName;
            publishDirectory = await MakeAndPublishAsync(repositoryRoot, temporary);
        }

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            EnvironmentName = Environments.Production,
            ContentRootPath = publishDirectory,
            WebRootPath = Path.Combine(publishDirectory, "wwwroot"),
        });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var baseUrl = $"http://127.0.0.1:{Loopback.FreePort()}";
        builder.WebHost.UseUrls(baseUrl);
        var app = builder.Build();
        app.MapStaticAssets(Path.Combine(publishDirectory, $"{AppName}.staticwebassets.endpoints.json"));
        app.MapFallbackToFile("index.html");
        await app.StartAsync();
        return new TemplateSite(app, baseUrl, temporary);
    }

    private static async Task<string> MakeAndPublishAsync(string repositoryRoot, string folder)
    {
        Console.Error.WriteLine($"Making the blank Blazor WebAssembly template in {folder} and publishing it (Release)…");
        var project = Path.Combine(folder, AppName);
        await RunAsync(folder, "dotnet", "new", "blazorwasm", "-n", AppName, "-o", project, "--no-restore");

        // The repository's ASP.NET Core version, so both apps run the same framework; the development
        // server package is for `dotnet run` only.
        var version = AspNetCoreVersion().Match(await File.ReadAllTextAsync(Path.Combine(repositoryRoot, "Directory.Packages.props"))).Groups[1].Value;
        var csproj = Path.Combine(project, $"{AppName}.csproj");
        var lines = (await File.ReadAllLinesAsync(csproj))
            .Where(line => !line.Contains("WebAssembly.DevServer", StringComparison.Ordinal))
            .Select(line => line.Contains("Microsoft.AspNetCore.Components.WebAssembly\"", StringComparison.Ordinal)
                ? PackageVersion().Replace(line, $"Version=\"{version}\"")
                : line);
        await File.WriteAllLinesAsync(csproj, lines);

        var output = Path.Combine(folder, "publish");
        await RunAsync(project, "dotnet", "publish", "-c", "Release", "-o", output);
        return output;
    }

    private static async Task RunAsync(string directory, string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file, arguments) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {file}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} failed:\n{await output}\n{await error}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await app.DisposeAsync();
        if (temporary is not null)
        {
            Directory.Delete(temporary, recursive: true);
        }
    }


    [GeneratedRegex("<AspNetCoreVersion>([^<]+)</AspNetCoreVersion>")]
    private static partial Regex AspNetCoreVersion();

    [GeneratedRegex("Version=\"[^\"]+\"")]
    private static partial Regex PackageVersion();
}
