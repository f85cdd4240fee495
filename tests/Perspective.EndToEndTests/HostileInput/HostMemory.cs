namespace Perspective.EndToEndTests.HostileInput;

/// <summary>A process's memory as Linux reports it in <c>/proc/&lt;pid&gt;/status</c>: resident now (VmRSS) and at its peak (VmHWM).</summary>
public readonly record struct HostMemory(long ResidentBytes, long PeakResidentBytes)
{
    public static HostMemory Of(int processId)
    {
        var lines = File.ReadAllLines($"/proc/{processId}/status");
        return new HostMemory(Kilobytes(lines, "VmRSS:") * 1024, Kilobytes(lines, "VmHWM:") * 1024);
    }

    public static string MiB(long bytes) => $"{bytes / 1024.0 / 1024.0:F1} MiB";

    // "VmRSS:	  123456 kB"
    private static long Kilobytes(string[] lines, string field) =>
        long.Parse(lines.Single(line => line.StartsWith(field, StringComparison.Ordinal))[field.Length..].Trim().Split(' ')[0]);
}
