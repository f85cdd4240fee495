using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Playwright;

namespace Perspective.Tests.Shared;

/// <summary>
/// What one page load costs on the wire, as Chromium's own network log (the DevTools protocol) reports
/// it: every request the page made, the bytes each one transferred (headers and the body as sent,
/// compressed; 0 for an answer from the browser's cache) and the encoding it came in.
/// Attach before the navigation; read <see cref="Responses"/> once the page is idle.
/// </summary>
public sealed class PageLoadRecorder
{
    private readonly ConcurrentDictionary<string, LoadedResponse> byRequest = new();

    private PageLoadRecorder()
    {
    }

    /// <summary>Every request that finished (or failed) since <see cref="AttachAsync"/>; <c>data:</c> URLs are no requests.</summary>
    public IReadOnlyList<LoadedResponse> Responses =>
        [.. byRequest.Values.Where(response => response.Finished && !response.Url.StartsWith("data:", StringComparison.Ordinal))];

    /// <summary>The bytes that crossed the network: the sum of Chromium's <c>encodedDataLength</c>.</summary>
    public long TransferredBytes => Responses.Sum(response => response.TransferredBytes);

    /// <summary>Requests that reached the server (a revalidation included), not answered from the browser's cache.</summary>
    public int NetworkRequests => Responses.Count(response => !response.FromCache);

    /// <summary>Starts recording the network of <paramref name="page"/>; call before it navigates.</summary>
    public static async Task<PageLoadRecorder> AttachAsync(IPage page)
    {
        var recorder = new PageLoadRecorder();
        var session = await page.Context.NewCDPSessionAsync(page);
        session.Event("Network.responseReceived").OnEvent += (_, e) => recorder.OnResponse(e);
        session.Event("Network.requestServedFromCache").OnEvent += (_, e) => recorder.OnServedFromCache(e);
        session.Event("Network.loadingFinished").OnEvent += (_, e) => recorder.OnFinished(e, failed: false);
        session.Event("Network.loadingFailed").OnEvent += (_, e) => recorder.OnFinished(e, failed: true);
        await session.SendAsync("Network.enable");
        return recorder;
    }

    private void OnResponse(JsonElement? e)
    {
        if (e is not { } data)
        {
            return;
        }

        var response = data.GetProperty("response");
        var encoding = response.GetProperty("headers").EnumerateObject()
            .FirstOrDefault(header => header.Name.Equals("content-encoding", StringComparison.OrdinalIgnoreCase)).Value;
        var fromDiskCache = response.TryGetProperty("fromDiskCache", out var disk) && disk.GetBoolean();
        var received = new LoadedResponse(
            response.GetProperty("url").GetString()!,
            response.GetProperty("status").GetInt32(),
            encoding.ValueKind == JsonValueKind.String ? encoding.GetString() : null) { FromCache = fromDiskCache };
        byRequest.AddOrUpdate(
            data.GetProperty("requestId").GetString()!,
            _ => received,
            (_, known) => received with { FromCache = known.FromCache || fromDiskCache, TransferredBytes = known.TransferredBytes, Finished = known.Finished, Failed = known.Failed });
    }

    private void OnServedFromCache(JsonElement? e)
    {
        if (e is { } data)
        {
            byRequest.AddOrUpdate(
                data.GetProperty("requestId").GetString()!,
                _ => new LoadedResponse("(no response)", 0, null) { FromCache = true },
                (_, known) => known with { FromCache = true });
        }
    }

    private void OnFinished(JsonElement? e, bool failed)
    {
        if (e is not { } data)
        {
            return;
        }

        var bytes = failed ? 0 : (long)data.GetProperty("encodedDataLength").GetDouble();
        byRequest.AddOrUpdate(
            data.GetProperty("requestId").GetString()!,
            _ => new LoadedResponse("(no response)", 0, null) { TransferredBytes = bytes, Finished = true, Failed = failed },
            (_, known) => known with { TransferredBytes = bytes, Finished = true, Failed = failed });
    }
}

/// <summary>One request of a page load: its URL, status, <c>Content-Encoding</c>, the bytes it transferred, whether the browser's cache answered it.</summary>
public sealed record LoadedResponse(string Url, int Status, string? ContentEncoding)
{
    public long TransferredBytes { get; init; }

    public bool Finished { get; init; }

    public bool Failed { get; init; }

    public bool FromCache { get; init; }
}
