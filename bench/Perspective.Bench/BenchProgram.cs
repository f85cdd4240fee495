using BenchmarkDotNet.Running;

namespace Perspective.Bench;

/// <summary>
/// The benchmark harness. Without arguments it measures the real host under load and prints a
/// markdown table; <c>--smoke</c> does the same with a few hundred requests (run by the test
/// command so the harness never rots); <c>--micro</c> runs the BenchmarkDotNet suite;
/// <c>--host</c> is the benchmark host the driver starts as a child process.
/// </summary>
public static class BenchProgram
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Contains("--host"))
        {
            await BenchHost.RunAsync(args);
            return 0;
        }

        if (args.Contains("--micro"))
        {
            BenchmarkSwitcher.FromTypes([typeof(TokenBenchmarks), typeof(KeyLookupBenchmarks)]).Run(args.Where(a => a != "--micro").ToArray());
            return 0;
        }

        return await LoadDriver.RunAsync(smoke: args.Contains("--smoke"), output: Option(args, "--out"));
    }

    private static string? Option(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }
}
