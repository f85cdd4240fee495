using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Perspective.EndToEndTests.Interop;

/// <summary>
/// A loopback reverse proxy inside the test process that adds <c>Authorization: Bearer &lt;key&gt;</c> to every
/// request and forwards everything else as it came: method, path, query, body and every header, <c>Host</c>
/// and <c>Origin</c> included, so a client that cannot send a header (the MCP conformance runner) reaches
/// the real host, and what the host decides about a foreign <c>Host</c> or <c>Origin</c> is what the
/// client sees. An <c>Authorization</c> header the client sent is replaced. Responses (status, headers,
/// bodies, event streams) come back unchanged.
/// </summary>
/// <remarks>
/// Bounded: it lives in the test process (nothing to leave behind), every forwarded exchange is cut
/// after <see cref="ExchangeTimeout"/>, and <see cref="DisposeAsync"/> stops it.
/// </remarks>
public sealed class BearerProxy : IAsyncDisposable
{
    private static readonly TimeSpan ExchangeTimeout = TimeSpan.FromSeconds(60);

    // Hop-by-hop headers (RFC 9110 7.6.1) belong to one connection; each side of the proxy has its own.
    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authenticate", "Proxy-Authorization", "TE", "Trailer",
        "Transfer-Encoding", "Upgrade",
    };

    private readonly WebApplication app;
    private readonly HttpMessageInvoker upstream = new(new SocketsHttpHandler
    {
        UseProxy = false,
        UseCookies = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        ConnectTimeout = TimeSpan.FromSeconds(10),
    });

    private BearerProxy()
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, 0);
            kestrel.AddServerHeader = false;
        });
        app = builder.Build();
        app.Run(ForwardAsync);
    }

    /// <summary>Where the proxy listens: <c>http://127.0.0.1:port</c>.</summary>
    public string Url { get; private set; } = "";

    /// <summary>The origin requests are forwarded to (set once the host is up).</summary>
    public string? Target { get; set; }

    /// <summary>The bearer credential added to every request.</summary>
    public string? Bearer { get; set; }

    /// <summary>Starts listening on a free loopback port.</summary>
    public static async Task<BearerProxy> StartAsync()
    {
        var proxy = new BearerProxy();
        await proxy.app.StartAsync();
        proxy.Url = new Uri(proxy.app.Urls.Single()).GetLeftPart(UriPartial.Authority);
        return proxy;
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await app.StopAsync(timeout.Token);
        await app.DisposeAsync();
        upstream.Dispose();
    }

    private async Task ForwardAsync(HttpContext context)
    {
        if (Target is null || Bearer is null)
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            await context.Response.WriteAsync("The proxy has no target or credential yet.");
            return;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        timeout.CancelAfter(ExchangeTimeout);
        var incoming = context.Request;
        using var request = new HttpRequestMessage(new HttpMethod(incoming.Method), Target + incoming.Path + incoming.QueryString)
        {
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        if (incoming.ContentLength is not null || incoming.Headers.TransferEncoding.Count > 0)
        {
            request.Content = new StreamContent(incoming.Body);
        }

        foreach (var (name, values) in incoming.Headers)
        {
            if (HopByHop.Contains(name) || name.Equals("Host", StringComparison.OrdinalIgnoreCase) ||
                name.Equals("Authorization", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (!request.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values))
            {
                request.Content?.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }

        // Host exactly as the client sent it (HttpClient would otherwise send the target's).
        if (incoming.Headers.Host.ToString() is { Length: > 0 } host)
        {
            request.Headers.Host = host;
        }

        request.Headers.TryAddWithoutValidation("Authorization", $"Bearer {Bearer}");

        HttpResponseMessage response;
        try
        {
            response = await upstream.SendAsync(request, timeout.Token);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
        {
            context.Response.StatusCode = StatusCodes.Status502BadGateway;
            await context.Response.WriteAsync($"The proxy could not reach {Target}: {e.Message}", CancellationToken.None);
            return;
        }

        using (response)
        {
            context.Response.StatusCode = (int)response.StatusCode;
            foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
            {
                if (!HopByHop.Contains(name))
                {
                    // Set, not appended: Kestrel has put its own Date there already.
                    context.Response.Headers[name] = values.ToArray();
                }
            }

            // Chunk by chunk, flushed at once: an event stream must not wait in a buffer.
            await using var body = await response.Content.ReadAsStreamAsync(timeout.Token);
            var buffer = new byte[16 * 1024];
            int read;
            try
            {
                while ((read = await body.ReadAsync(buffer, timeout.Token)) > 0)
                {
                    await context.Response.Body.WriteAsync(buffer.AsMemory(0, read), timeout.Token);
                    await context.Response.Body.FlushAsync(timeout.Token);
                }
            }
            catch (OperationCanceledException)
            {
                // The client left, or the exchange ran out of time: end the response where it is.
                context.Abort();
            }
        }
    }
}
