using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Perspective.Identity.Seeding;
using Perspective.Keys.Tokens;
using Perspective.Keys.Usage;

namespace Perspective.IntegrationTests.Operations;

/// <summary>The product's metrics move with what happens, and OpenTelemetry is there only when configured.</summary>
public sealed class TelemetryTests(PlatformFactory factory) : IClassFixture<PlatformFactory>
{
    [Fact]
    public async Task Mcp_requests_are_counted_by_credential_kind_and_outcome_and_refusals_by_reason()
    {
        var (token, _) = await factory.CreateDemoKeyAsync("Counted", "acme-research");
        using var measured = new ProductMeasurements(factory);

        Assert.Equal(HttpStatusCode.OK, await McpTestClient.StatusAsync(factory, $"Bearer {token}"));
        Assert.Equal(HttpStatusCode.Unauthorized, await McpTestClient.StatusAsync(factory, null));
        Assert.Equal(HttpStatusCode.Unauthorized, await McpTestClient.StatusAsync(factory, $"Bearer {McpKeyToken.Generate()}"));
        Assert.Equal(HttpStatusCode.Unauthorized, await McpTestClient.StatusAsync(factory, "Bearer pmk_typo"));

        Assert.Equal(1, measured.Sum("perspective.mcp.requests", ("credential_kind", "mcp_key"), ("outcome", "ok")));
        Assert.Equal(3, measured.Sum("perspective.mcp.requests", ("credential_kind", "none"), ("outcome", "unauthenticated")));
        Assert.Equal(1, measured.Sum("perspective.mcp.authentication.failures", ("reason", "unknown_key")));
        Assert.Equal(1, measured.Sum("perspective.mcp.authentication.failures", ("reason", "malformed_key")));
        Assert.Equal(2, measured.Sum("perspective.mcp.authentication.failures"));
    }

    [Fact]
    public async Task Oauth_tokens_issued_refreshed_and_revoked_are_counted_and_so_are_mcp_requests_with_them()
    {
        var oauth = new OAuthTestClient(factory, await factory.SignInAsync(DemoSeed.DemoEmail, DemoSeed.DemoPassword));
        using var measured = new ProductMeasurements(factory);

        var (clientId, accessToken, refresh) = await oauth.ConnectAsync();
        Assert.Equal(HttpStatusCode.OK, await McpTestClient.StatusAsync(factory, $"Bearer {accessToken}"));
        var rotated = await oauth.RefreshAsync(clientId, refresh);
        Assert.Equal(HttpStatusCode.OK, rotated.Status);
        using var http = factory.CreateClient();
        using var revoked = await http.PostAsync("/connect/revoke", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["token"] = rotated.Body.GetProperty("access_token").GetString()!,
            ["client_id"] = clientId,
        }));
        Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await oauth.RefreshAsync(clientId, refresh)).Status);

        Assert.Equal(1, measured.Sum("perspective.oauth.tokens.issued", ("grant_type", "authorization_code")));
        Assert.Equal(1, measured.Sum("perspective.oauth.tokens.issued", ("grant_type", "refresh_token")));
        Assert.Equal(1, measured.Sum("perspective.oauth.tokens.revoked"));
        Assert.Equal(1, measured.Sum("perspective.oauth.grants.revoked", ("reason", "refresh_token_reuse")));
        Assert.Equal(1, measured.Sum("perspective.mcp.requests", ("credential_kind", "oauth"), ("outcome", "ok")));
    }

    [Fact]
    public async Task Writing_last_used_times_records_how_long_they_waited()
    {
        var (token, _) = await factory.CreateDemoKeyAsync("Flushed", "acme-research");
        using var measured = new ProductMeasurements(factory);
        Assert.Equal(HttpStatusCode.OK, await McpTestClient.StatusAsync(factory, $"Bearer {token}"));

        await factory.Services.GetServices<IHostedService>().OfType<LastUsedFlusher>().Single().FlushAsync(CancellationToken.None);

        Assert.True(measured.Count("perspective.keys.last_used.flush_lag") >= 1);
    }

    [Fact]
    public void Without_an_otlp_endpoint_or_prometheus_no_opentelemetry_is_registered()
    {
        Assert.Null(factory.Services.GetService<MeterProvider>());
        Assert.Null(factory.Services.GetService<TracerProvider>());
    }

    [Fact]
    public async Task With_an_otlp_endpoint_requests_are_traced_and_measured_down_to_the_database()
    {
        // Listeners are process-wide: spans of other tests running meanwhile arrive here too, from other threads.
        var metrics = new LockedCollection<Metric>();
        var activities = new LockedCollection<System.Diagnostics.Activity>();
        using var traced = factory.WithWebHostBuilder(builder =>
        {
            // Nothing listens there: the test reads what the in-memory exporters got.
            builder.UseSetting("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:9");
            builder.ConfigureTestServices(services => services
                .ConfigureOpenTelemetryMeterProvider(meters => meters.AddInMemoryExporter(metrics))
                .ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(activities)));
        });
        var (token, _) = await traced.CreateDemoKeyAsync("Traced", "acme-research");

        Assert.Equal(HttpStatusCode.OK, await McpTestClient.StatusAsync(traced, $"Bearer {token}"));

        // The server's span, its duration and the product's count are recorded when the request ends on
        // the server, which may be just after the client has read the response: flush until all are in (bounded).
        bool RequestCounted() => metrics.Snapshot().Any(m => m.Name == "perspective.mcp.requests");
        bool RequestTimed() => metrics.Snapshot().Any(m => m.Name == "http.server.request.duration");
        bool ServerSpan() => activities.Snapshot().Any(a => a.Kind == ActivityKind.Server && a.GetTagItem("url.path") as string == "/mcp");
        bool DatabaseSpan() => activities.Snapshot().Any(a => a.Kind == ActivityKind.Client && a.Tags.Any(t => t.Key.StartsWith("db.", StringComparison.Ordinal)));
        for (var attempt = 0; attempt < 50 && !(RequestCounted() && RequestTimed() && ServerSpan() && DatabaseSpan()); attempt++)
        {
            await Task.Delay(100);
            traced.Services.GetRequiredService<MeterProvider>().ForceFlush();
            traced.Services.GetRequiredService<TracerProvider>().ForceFlush();
        }

        Assert.True(RequestCounted(), "perspective.mcp.requests was not exported.");
        Assert.True(RequestTimed(), "http.server.request.duration was not exported.");
        Assert.True(ServerSpan(), "No server span for /mcp was exported.");
        Assert.True(DatabaseSpan(), "No database span was exported.");
    }

    [Fact]
    public async Task The_public_origin_serves_no_metrics_even_when_prometheus_is_enabled()
    {
        using var scraped = factory.WithWebHostBuilder(builder => builder.UseSetting("Telemetry:Prometheus:Enabled", "true"));
        using var http = scraped.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        using var response = await http.GetAsync("/metrics");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode); // to the sign-in page, like any other page of the UI
        Assert.DoesNotContain("perspective_mcp_requests", await response.Content.ReadAsStringAsync());
    }
}

/// <summary>A collection the in-memory exporters may add to from any thread while the test reads a snapshot.</summary>
internal sealed class LockedCollection<T> : ICollection<T>
{
    private readonly List<T> items = [];

    public int Count
    {
        get
        {
            lock (items)
            {
                return items.Count;
            }
        }
    }

    public bool IsReadOnly => false;

    public T[] Snapshot()
    {
        lock (items)
        {
            return [.. items];
        }
    }

    public void Add(T item)
    {
        lock (items)
        {
            items.Add(item);
        }
    }

    public void Clear()
    {
        lock (items)
        {
            items.Clear();
        }
    }

    public bool Contains(T item) => Snapshot().Contains(item);

    public void CopyTo(T[] array, int arrayIndex) => Snapshot().CopyTo(array, arrayIndex);

    public bool Remove(T item)
    {
        lock (items)
        {
            return items.Remove(item);
        }
    }

    public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)Snapshot()).GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
