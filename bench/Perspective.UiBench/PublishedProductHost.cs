using System.Diagnostics;
using System.Net;
using System.Text;

namespace Perspective.UiBench;

/// <summary>
/// The published product host (the README's deploy output) started as its own process in Production,
/// as operators run it: free loopback ports, a fresh SQLite file with the demo seed, a throwaway
/// key-encryption certificate made with the README's openssl command.
/// </summary>
public sealed class PublishedProductHost : IAsyncDisposable
{
    private readonly string dataDirectory = Directory.CreateTempSubdirectory("perspective-uibench-").FullName;
    private readonly StringBuilder output = new();
    private readonly Process process;

    private PublishedProductHost(string publishDirectory)
    {
        BaseUrl = $"http://127.0.0.1:{Loopback.FreePort()}";
        OpenSsl($"req -x509 -newkey rsa:3072 -sha256 -nodes -days 2 -subj \"/CN=Perspective key encryption\" -keyout {dataDirectory}/kek.key -out {dataDirectory}/kek.pem");
        var start = new ProcessStartInfo("dotnet", [Path.Combine(publishDirectory, "Perspective.McpHost.dll")])
        {
            WorkingDirectory = publishDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Kestrel__Endpoints__Http__Url"] = BaseUrl;
        start.Environment["Kestrel__Endpoints__Grpc__Url"] = $"http://127.0.0.1:{Loopback.FreePort()}";
        start.Environment["ConnectionStrings__Platform"] = $"Data Source={Path.Combine(dataDirectory, "platform.db")}";
        start.Environment["Platform__KeyEncryption__CertificatePath"] = Path.Combine(dataDirectory, "kek.pem");
        start.Environment["Platform__KeyEncryption__KeyPath"] = Path.Combine(dataDirectory, "kek.key");
        start.Environment["Seed__Demo"] = "true";
        process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the host.");
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string BaseUrl { get; }

    public static async Task<PublishedProductHost> StartAsync(string publishDirectory)
    {
        if (!File.Exists(Path.Combine(publishDirectory, "Perspective.McpHost.dll")))
        {
            throw new InvalidOperationException($"{publishDirectory} holds no published host: run 'dotnet publish src/McpHost -c Release -o publish' first.");
        }

        var host = new PublishedProductHost(publishDirectory);
        try
        {
            await host.WaitUntilHealthyAsync();
            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    private async Task WaitUntilHealthyAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        for (var deadline = DateTime.UtcNow.AddSeconds(180); DateTime.UtcNow < deadline; await Task.Delay(250))
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The host exited with code {process.ExitCode}:\n{Output}");
            }

            try
            {
                if ((await http.GetAsync($"{BaseUrl}/healthz")).StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet, or still migrating the new database.
            }
        }

        throw new TimeoutException($"The host did not become healthy within 180 s:\n{Output}");
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process.Dispose();
        Directory.Delete(dataDirectory, recursive: true);
    }

    private string Output
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    private void Append(string? line)
    {
        lock (output)
        {
            output.AppendLine(line);
        }
    }

    private static void OpenSsl(string arguments)
    {
        using var openssl = Process.Start(new ProcessStartInfo("openssl", arguments) { RedirectStandardError = true, RedirectStandardOutput = true })
            ?? throw new InvalidOperationException("openssl is missing.");
        openssl.StandardError.ReadToEnd();
        openssl.WaitForExit();
        if (openssl.ExitCode != 0)
        {
            throw new InvalidOperationException($"openssl {arguments} failed.");
        }
    }

}
