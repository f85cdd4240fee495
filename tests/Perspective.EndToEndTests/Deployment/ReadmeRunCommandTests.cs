using System.Diagnostics;
using System.Text;
using Microsoft.Playwright;
using Perspective.EndToEndTests.Browser;
using Perspective.Tests.Shared;

namespace Perspective.EndToEndTests.Deployment;

/// <summary>
/// The README's run command (<c>dotnet run --project src/McpHost</c>: Development, the build's output and its
/// static asset manifests, demo data) gives a settings UI that works in Chromium. Everything else in this
/// project runs the published host, so this is what finds a build whose UI only works once published: a
/// page naming a runtime file the build no longer has, a placeholder left in the page, a policy that blocks it.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class ReadmeRunCommandTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
#if DEBUG
    private const string BuildConfiguration = "Debug";
#else
    private const string BuildConfiguration = "Release";
#endif

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task The_run_command_serves_a_settings_ui_that_signs_in_and_creates_a_key()
    {
        var dataDirectory = Directory.CreateTempSubdirectory("perspective-run-").FullName;
        var baseUrl = $"http://127.0.0.1:{HostProcess.FreePort()}";
        // The README's command, without building again (the test command built this configuration already),
        // on free ports and a data folder of its own instead of src/McpHost/data.
        var start = new ProcessStartInfo("dotnet", ["run", "--no-build", "-c", BuildConfiguration, "--project", "src/McpHost"])
        {
            WorkingDirectory = RepositoryPaths.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["Kestrel__Endpoints__Http__Url"] = baseUrl;
        start.Environment["Kestrel__Endpoints__Grpc__Url"] = $"http://127.0.0.1:{HostProcess.FreePort()}";
        start.Environment["Platform__DataDirectory"] = dataDirectory;
        var output = new StringBuilder();
        using var host = Process.Start(start) ?? throw new InvalidOperationException("dotnet run did not start.");
        host.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        host.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        host.BeginOutputReadLine();
        host.BeginErrorReadLine();
        try
        {
            await WaitUntilReadyAsync(host, baseUrl, output);

            var context = await browser.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 } });
            var page = await context.NewPageAsync();
            var refused = new List<string>();
            page.Response += (_, response) =>
            {
                if (response.Status >= 400)
                {
                    lock (refused) { refused.Add($"{response.Status} {response.Url}"); }
                }
            };
            page.Console += (_, message) =>
            {
                if (message.Type == "error")
                {
                    lock (refused) { refused.Add($"console: {message.Text} ({message.Location})"); }
                }
            };

            await page.GotoAsync(baseUrl + "/w/acme-research/settings/mcp");
            await DemoSignIn.SubmitAsync(page);
            await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Your keys" })).ToBeVisibleAsync(new() { Timeout = 60_000 });

            await page.GetByLabel("Key name").FillAsync("From the run command");
            await page.GetByLabel("Acme Research").CheckAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Create key" }).ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Dialog)).ToContainTextAsync("will not show it again");

            Assert.True(refused.Count == 0, "The UI under dotnet run had failures:\n" + string.Join('\n', refused));
        }
        finally
        {
            host.Kill(entireProcessTree: true);
            await host.WaitForExitAsync();
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    private static async Task WaitUntilReadyAsync(Process host, string baseUrl, StringBuilder output)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + StartTimeout;
        while (DateTime.UtcNow < deadline)
        {
            if (host.HasExited)
            {
                throw new InvalidOperationException($"dotnet run exited with code {host.ExitCode}:\n{output}");
            }

            try
            {
                using var ready = await http.GetAsync(baseUrl + "/healthz/ready");
                if (ready.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Starting slowly.
            }

            await Task.Delay(250);
        }

        throw new TimeoutException($"dotnet run was not ready within {StartTimeout}:\n{output}");
    }
}
