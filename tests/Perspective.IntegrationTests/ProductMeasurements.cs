using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Perspective.Platform.Hosting;

namespace Perspective.IntegrationTests;

/// <summary>
/// Everything one host records on its <see cref="PlatformMetrics"/> meter, heard with a
/// <see cref="MeterListener"/> (the host's meter only: other hosts in the test run have their own).
/// </summary>
public sealed class ProductMeasurements : IDisposable
{
    private readonly ConcurrentQueue<(string Instrument, double Value, Dictionary<string, string?> Tags)> measurements = new();
    private readonly MeterListener listener = new();

    public ProductMeasurements(WebApplicationFactory<Program> host)
    {
        var meter = host.Services.GetRequiredService<PlatformMetrics>().Meter;
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter == meter)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(instrument, value, tags));
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Add(instrument, value, tags));
        listener.Start();
    }

    /// <summary>The sum of what <paramref name="instrument"/> recorded with at least these tags.</summary>
    public double Sum(string instrument, params (string Key, string Value)[] tags) =>
        measurements.Where(m => m.Instrument == instrument && tags.All(t => m.Tags.TryGetValue(t.Key, out var v) && v == t.Value)).Sum(m => m.Value);

    /// <summary>How many measurements <paramref name="instrument"/> recorded (for a histogram: how many values).</summary>
    public int Count(string instrument) => measurements.Count(m => m.Instrument == instrument);

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new Dictionary<string, string?>();
        foreach (var (key, tagValue) in tags)
        {
            copy[key] = tagValue?.ToString();
        }

        measurements.Enqueue((instrument.Name, value, copy));
    }

    public void Dispose() => listener.Dispose();
}
