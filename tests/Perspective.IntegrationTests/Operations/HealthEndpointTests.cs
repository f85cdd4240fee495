using System.Data.Common;
using System.Net;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection;
using Perspective.Identity.Storage;
using Perspective.Identity.Storage.Postgres;
using Perspective.McpHost.Lifecycle;

namespace Perspective.IntegrationTests.Operations;

/// <summary>What a load balancer polls: live says the process answers, ready says it should get requests.</summary>
public sealed class HealthEndpointTests(PlatformFactory factory) : IClassFixture<PlatformFactory>
{
    [Theory]
    [InlineData("/healthz")]
    [InlineData("/healthz/ready")]
    [InlineData("/healthz/live")]
    public async Task Probes_answer_get_and_head_only_and_refuse_a_large_body_without_reading_it(string path)
    {
        using var http = factory.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, path))).StatusCode);
        foreach (var method in new[] { HttpMethod.Post, HttpMethod.Put, HttpMethod.Delete })
        {
            using var request = new HttpRequestMessage(method, path) { Content = new ByteArrayContent(new byte[8 * 1024 * 1024]) };
            using var response = await http.SendAsync(request);

            Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
            Assert.Equal("GET, HEAD", string.Join(", ", response.Content.Headers.Allow));
        }
    }

    [Fact]
    public async Task Live_answers_without_the_database_while_ready_and_healthz_follow_it()
    {
        var outage = new RefusedConnections();
        using var host = factory.WithWebHostBuilder(builder => builder.ConfigureTestServices(services =>
        {
            services.ConfigureDbContext<IdentityDataContext>(options => options.AddInterceptors(outage));
            services.ConfigureDbContext<PostgresIdentityDataContext>(options => options.AddInterceptors(outage));
        }));
        using var http = host.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz/ready")).StatusCode);

        outage.Failing = true;
        var live = await http.GetAsync("/healthz/live");
        var ready = await http.GetAsync("/healthz/ready");
        var healthz = await http.GetAsync("/healthz");
        outage.Failing = false;

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal("""{"status":"Healthy"}""", await live.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Contains("\"database\":{\"provider\":", await ready.Content.ReadAsStringAsync());
        Assert.Contains("\"status\":\"Unhealthy\",\"message\":", await ready.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, healthz.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz/ready")).StatusCode);
    }

    [Fact]
    public async Task A_draining_host_is_not_ready_but_still_live_and_still_serves_mcp()
    {
        using var draining = new PlatformFactory();
        var (token, _) = await draining.CreateDemoKeyAsync("Drained", "acme-research");
        using var http = draining.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz/ready")).StatusCode);

        draining.Services.GetRequiredService<HostReadiness>().Draining();

        var ready = await http.GetAsync("/healthz/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Contains("\"host\":\"draining\"", await ready.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await http.GetAsync("/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz/live")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, await McpTestClient.StatusAsync(draining, $"Bearer {token}"));
    }

    [Fact]
    public async Task A_host_is_not_ready_until_it_has_started()
    {
        var readiness = new HostReadiness();
        var check = new ReadinessCheck(readiness);

        var starting = await check.CheckHealthAsync(new());
        readiness.Serving();
        var serving = await check.CheckHealthAsync(new());

        Assert.Equal(HealthStatus.Unhealthy, starting.Status);
        Assert.Equal("starting", starting.Description);
        Assert.Equal(HealthStatus.Healthy, serving.Status);
    }

    /// <summary>The database refusing connections, as when its server is down.</summary>
    private sealed class RefusedConnections : DbConnectionInterceptor
    {
        public volatile bool Failing;

        public override ValueTask<InterceptionResult> ConnectionOpeningAsync(
            DbConnection connection, ConnectionEventData eventData, InterceptionResult result, CancellationToken cancellationToken = default) =>
            Failing ? throw new SqliteException("unable to open database file", SQLitePCL.raw.SQLITE_CANTOPEN) : ValueTask.FromResult(result);
    }
}
