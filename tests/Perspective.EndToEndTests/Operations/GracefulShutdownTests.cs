using System.Collections.Concurrent;
using System.Net;
using Perspective.Keys.V1;
using Perspective.Tests.Shared;
using Xunit.Abstractions;

namespace Perspective.EndToEndTests.Operations;

/// <summary>
/// SIGTERM under MCP load, as an orchestrator stops a host behind a balancer. What clients see:
/// <list type="bullet">
/// <item><c>/healthz/ready</c> answers 503 from the signal on, while <c>/healthz/live</c> still answers 200;</item>
/// <item>during the drain delay MCP requests are still served, 200 like before;</item>
/// <item>every request the host accepted is answered 200: no 5xx, no 401, no error result;</item>
/// <item>after the delay the listener closes, so a request fails only to connect (or on a kept-alive
/// connection the host closed): an <see cref="HttpRequestException"/>, never an HTTP answer;</item>
/// <item>the process exits 0, and the last-used time of the key is persisted.</item>
/// </list>
/// </summary>
public sealed class GracefulShutdownTests(ITestOutputHelper output)
{
    private const int Clients = 4;

    private static readonly HttpClient Probe = new() { Timeout = TimeSpan.FromSeconds(10) };

    [Fact]
    public async Task Sigterm_under_mcp_load_fails_readiness_serves_until_the_listener_closes_exits_0_and_keeps_the_last_use()
    {
        await using var host = HostProcess.OnSqlite(new Dictionary<string, string>
        {
            // Long enough for a balancer (here: the test) to notice, short enough for a test.
            ["Platform__ShutdownDrainDelay"] = "00:00:08",
            // No periodic write during the test: only the write at shutdown can persist the use.
            ["Keys__LastUsed__FlushInterval"] = "01:00:00",
        });
        await host.InitializeAsync();
        string keyId, token;
        using (var api = await PlatformApi.SignInAsync(host, DemoAccounts.Email, DemoAccounts.Password))
        {
            token = await api.CreateKeyAsync("Drained", "acme-research");
            keyId = (await api.Keys.ListMcpKeysAsync(new ListMcpKeysRequest())).McpKeys.Single(k => k.Name == "Drained").Id;
        }

        var answered = new ConcurrentQueue<(HttpStatusCode Status, bool Served, bool AfterNotReady)>();
        var refusals = new ConcurrentQueue<(HttpRequestException Error, bool AfterSignal)>();
        var signalled = false;
        var notReady = false;
        using var stop = new CancellationTokenSource();
        var load = Enumerable.Range(0, Clients).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 1_000_000 && !stop.IsCancellationRequested; i++)
            {
                var afterNotReady = Volatile.Read(ref notReady);
                try
                {
                    var call = await McpRequests.CallToolAsync(host.BaseUrl, token, "workspace_list");
                    answered.Enqueue((call.Status, call.Served, afterNotReady));
                }
                catch (HttpRequestException e)
                {
                    refusals.Enqueue((e, Volatile.Read(ref signalled)));
                    return;
                }
            }
        })).ToList();

        await WaitUntilAsync(() => answered.Count >= 50 || load.Any(c => c.IsCompleted));
        Assert.True(answered.Count >= 50, $"Only {answered.Count} calls were answered before the signal.");

        Volatile.Write(ref signalled, true);
        var exit = host.TerminateAsync(TimeSpan.FromSeconds(90));

        // The balancer's view: ready fails (503) while the host still answers.
        var ready = HttpStatusCode.OK;
        for (var i = 0; i < 400 && ready == HttpStatusCode.OK; i++)
        {
            using var response = await Probe.GetAsync($"{host.BaseUrl}/healthz/ready");
            ready = response.StatusCode;
            if (ready == HttpStatusCode.OK)
            {
                await Task.Delay(25);
            }
        }

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready);
        Volatile.Write(ref notReady, true);
        using (var live = await Probe.GetAsync($"{host.BaseUrl}/healthz/live"))
        {
            Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        }

        // Requests sent after the balancer was told keep being served until the listener closes.
        await WaitUntilAsync(() => answered.Count(a => a.AfterNotReady) >= 20 || exit.IsCompleted);
        var exitCode = await exit;
        await stop.CancelAsync();
        await Task.WhenAll(load);
        output.WriteLine($"{answered.Count} answered ({answered.Count(a => a.AfterNotReady)} after ready failed), {refusals.Count} refused.");

        Assert.Equal(0, exitCode);
        Assert.All(answered, a => Assert.True(a.Status == HttpStatusCode.OK && a.Served, $"A request the host accepted was answered {(int)a.Status}."));
        Assert.True(answered.Count(a => a.AfterNotReady) >= 20, "The host stopped serving as soon as it was not ready.");
        Assert.All(refusals, r => Assert.True(r.AfterSignal, $"A request failed before the host was asked to stop: {r.Error}"));
        await Assert.ThrowsAsync<HttpRequestException>(() => Probe.GetAsync($"{host.BaseUrl}/healthz/live"));
        Assert.Contains("Stopping: /healthz/ready answers 503", host.Output);

        await host.StartAsync();
        using var afterRestart = await PlatformApi.SignInAsync(host, DemoAccounts.Email, DemoAccounts.Password);
        var key = (await afterRestart.Keys.ListMcpKeysAsync(new ListMcpKeysRequest())).McpKeys.Single(k => k.Id == keyId);
        Assert.NotNull(key.LastUsedTime);
    }

    // Bounded: a condition that never holds ends the wait after a minute, and the asserts after it say why.
    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 1200 && !condition(); i++)
        {
            await Task.Delay(50);
        }
    }
}
