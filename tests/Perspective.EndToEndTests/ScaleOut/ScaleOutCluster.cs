using System.Diagnostics;

namespace Perspective.EndToEndTests.ScaleOut;

/// <summary>
/// The PostgreSQL cluster the scale-out and fault tests share (scripts/test.sh starts it:
/// <c>PERSPECTIVE_TEST_SCALEOUT_POSTGRES</c> is its connection string, <c>PERSPECTIVE_TEST_SCALEOUT_POSTGRES_CTL</c>
/// its pg_ctl). Every test gets a database of its own, which the first host to start creates.
/// </summary>
public static class ScaleOutCluster
{
    public static string NewDatabase(string purpose) =>
        $"{Setting("PERSPECTIVE_TEST_SCALEOUT_POSTGRES")};Database={purpose}_{Guid.NewGuid():N}";

    /// <summary>Stops the server the way an operator or a crash-restart would: sessions are cut.</summary>
    public static Task StopServerAsync() => ControlAsync("stop", "-m", "fast");

    public static Task StartServerAsync() => ControlAsync("start");

    private static async Task ControlAsync(params string[] arguments)
    {
        using var control = Process.Start(new ProcessStartInfo(Setting("PERSPECTIVE_TEST_SCALEOUT_POSTGRES_CTL"), arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var output = control.StandardOutput.ReadToEndAsync();
        var error = control.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await control.WaitForExitAsync(timeout.Token);
        if (control.ExitCode != 0)
        {
            throw new InvalidOperationException($"pg_ctl {string.Join(' ', arguments)} failed: {await output}{await error}");
        }
    }

    private static string Setting(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{name} is not set. Run the suite with scripts/test.sh, which starts a throwaway PostgreSQL cluster for these tests.");
}

/// <summary>The scale-out and fault tests take turns: the fault tests stop the shared cluster.</summary>
[CollectionDefinition(Name)]
public sealed class ScaleOutCollection
{
    public const string Name = "Scale-out cluster";
}
