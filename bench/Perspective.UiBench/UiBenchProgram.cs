using System.Globalization;
using System.Text;
using Microsoft.Playwright;

namespace Perspective.UiBench;

/// <summary>
/// The settings UI's page weight and time to interactive: the MCP page of the published product host
/// against the blank Blazor WebAssembly template, served alike and measured in the same run with
/// Debian's Chromium; a first load (empty cache) and a cached load, <c>--runs</c> times each (medians).
/// </summary>
public static class UiBenchProgram
{
    private const string ChromiumPath = "/usr/bin/chromium";

    private static readonly InteractiveMarker McpPageReady = new("button", "Create key");
    private static readonly InteractiveMarker TemplateReady = new("h1", "Hello, world!");

    public static async Task<int> Main(string[] args)
    {
        var root = RepositoryRoot();
        var runs = int.Parse(Option(args, "--runs") ?? "5", CultureInfo.InvariantCulture);
        var product = Path.GetFullPath(Option(args, "--product") ?? Path.Combine(root, "publish"));

        await using var host = await PublishedProductHost.StartAsync(product);
        await using var template = await TemplateSite.StartAsync(root, Option(args, "--template") is { } published ? Path.GetFullPath(published) : null);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });

        var cookies = await PageLoadProbe.SignInAsync(host.BaseUrl);
        var productRuns = new List<(LoadFigures First, LoadFigures Cached)>();
        var templateRuns = new List<(LoadFigures First, LoadFigures Cached)>();
        for (var run = 1; run <= runs; run++)
        {
            // Interleaved, so both apps see the same machine.
            productRuns.Add(await PageLoadProbe.MeasureAsync(browser, $"{host.BaseUrl}/w/acme-research/settings/mcp", McpPageReady, cookies));
            templateRuns.Add(await PageLoadProbe.MeasureAsync(browser, $"{template.BaseUrl}/", TemplateReady, []));
            Console.Error.WriteLine($"run {run}/{runs}: product {productRuns[^1].First.InteractiveMilliseconds:F0} / {productRuns[^1].Cached.InteractiveMilliseconds:F0} ms, " +
                $"template {templateRuns[^1].First.InteractiveMilliseconds:F0} / {templateRuns[^1].Cached.InteractiveMilliseconds:F0} ms");
        }

        var report = Report(runs, productRuns, templateRuns, args.Contains("--list"));
        Console.WriteLine(report);
        if (Option(args, "--out") is { } output)
        {
            await File.WriteAllTextAsync(output, report);
        }

        return 0;
    }

    private static string Report(int runs, List<(LoadFigures First, LoadFigures Cached)> product, List<(LoadFigures First, LoadFigures Cached)> template, bool list)
    {
        var (p, t) = (Medians(product), Medians(template));
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Medians of {runs} runs. TTI: navigation start until the page's marker (MCP page: an enabled \"Create key\" button; template: \"Hello, world!\") is rendered by Blazor.");
        text.AppendLine();
        text.AppendLine("| app | requests, first | transferred, first | TTI first ms | requests to the server, cached | transferred, cached | TTI cached ms |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
        text.AppendLine(Row("Perspective MCP page", p));
        text.AppendLine(Row("blank Blazor template", t));
        text.AppendLine(CultureInfo.InvariantCulture,
            $"| **product / template** | {Ratio(p.Requests, t.Requests)} | {Ratio(p.Bytes, t.Bytes)} | {Ratio(p.Tti, t.Tti)} | {Ratio(p.CachedRequests, t.CachedRequests)} | {Ratio(p.CachedBytes, t.CachedBytes)} | {Ratio(p.CachedTti, t.CachedTti)} |");
        if (list)
        {
            text.AppendLine();
            text.AppendLine("First load of the MCP page (last run), largest first:");
            text.AppendLine();
            text.AppendLine("| bytes | status | encoding | url |");
            text.AppendLine("|---:|---:|---|---|");
            foreach (var response in product[^1].First.Responses.OrderByDescending(r => r.TransferredBytes))
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"| {response.TransferredBytes} | {response.Status} | {response.ContentEncoding} | {new Uri(response.Url).PathAndQuery} |");
            }
        }

        return text.ToString();
    }

    private sealed record Summary(double Requests, double Bytes, double Tti, double CachedRequests, double CachedBytes, double CachedTti);

    private static Summary Medians(List<(LoadFigures First, LoadFigures Cached)> runs) => new(
        Median(runs.Select(r => (double)r.First.Requests)), Median(runs.Select(r => (double)r.First.TransferredBytes)), Median(runs.Select(r => r.First.InteractiveMilliseconds)),
        Median(runs.Select(r => (double)r.Cached.Requests)), Median(runs.Select(r => (double)r.Cached.TransferredBytes)), Median(runs.Select(r => r.Cached.InteractiveMilliseconds)));

    private static string Row(string name, Summary s) => string.Create(CultureInfo.InvariantCulture,
        $"| {name} | {s.Requests:F0} | {Bytes(s.Bytes)} | {s.Tti:F0} | {s.CachedRequests:F0} | {Bytes(s.CachedBytes)} | {s.CachedTti:F0} |");

    private static string Bytes(double bytes) => bytes >= 100_000
        ? string.Create(CultureInfo.InvariantCulture, $"{bytes / 1_000_000:F2} MB")
        : string.Create(CultureInfo.InvariantCulture, $"{bytes / 1_000:F1} kB");

    private static string Ratio(double product, double template) =>
        template == 0 ? "–" : string.Create(CultureInfo.InvariantCulture, $"{product / template:F2}");

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string? Option(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Perspective.Platform.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Run the bench from inside the repository.");
    }
}
