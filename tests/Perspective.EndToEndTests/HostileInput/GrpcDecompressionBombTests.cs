using System.Net;
using Grpc.Core;
using Perspective.Keys.V1;
using Perspective.IntegrationTests.HostileInput;
using Perspective.Tests.Shared;
using Xunit.Abstractions;

namespace Perspective.EndToEndTests.HostileInput;

/// <summary>
/// gzip decompression bombs against the real host process: a frame of about 150 KiB that inflates to
/// 150 MiB is refused with RESOURCE_EXHAUSTED once the 1 MiB receive limit is reached, and sending it
/// five times leaves the host's resident memory (VmRSS) and its peak (VmHWM) within 64 MiB of what they
/// were. The figures are printed.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class GrpcDecompressionBombTests(HostProcess host, ITestOutputHelper output)
{
    private const string Reflection = "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo";
    private const string CreateKey = "/perspective.keys.v1.McpKeyService/CreateMcpKey";
    private const long Inflated = 150L * 1024 * 1024;
    private const int Bombs = 5;
    private const long MaxGrowth = 64L * 1024 * 1024;
    private const string LimitMessage = "larger than 1048576 bytes once decompressed";

    private static readonly Lazy<byte[]> Bomb = new(() => RawGrpc.Frame(RawGrpc.GzipBomb(field: 1, Inflated), compressed: true));

    [Fact]
    public async Task A_bomb_to_reflection_without_credentials_on_the_http2_port_is_refused_within_the_limit()
    {
        using var http = new HttpClient(new SocketsHttpHandler()) { BaseAddress = new Uri(host.GrpcUrl), Timeout = TimeSpan.FromSeconds(60) };
        Assert.True(Bomb.Value.Length < 200 * 1024, $"The bomb should be small on the wire; it is {Bomb.Value.Length} bytes.");

        var (memoryBefore, memoryAfter) = await MeasureAsync(async () =>
        {
            var (status, message) = await RawGrpc.CallAsync(http, Reflection, Bomb.Value, "gzip");
            Assert.Equal(StatusCode.ResourceExhausted, status);
            Assert.Contains(LimitMessage, message);
        });

        Report("native gRPC (h2c prior knowledge), reflection, no credentials", memoryBefore, memoryAfter);
        AssertBounded(memoryBefore, memoryAfter);
        byte[] listServices = [0x3A, 0x00]; // ServerReflectionRequest { list_services = "" }: field 7, length-delimited, empty
        Assert.Equal(StatusCode.OK, (await RawGrpc.CallAsync(http, Reflection, RawGrpc.Frame(RawGrpc.Gzip(listServices), compressed: true), "gzip")).Status);
    }

    [Fact]
    public async Task A_bomb_as_a_key_name_over_grpc_web_on_the_main_port_is_refused_within_the_limit_and_creates_nothing()
    {
        using var api = await PlatformApi.SignInAsync(host, DemoAccounts.Email, DemoAccounts.Password);
        using var http = new HttpClient(new SocketsHttpHandler { CookieContainer = api.Cookies, UseCookies = true })
        {
            BaseAddress = new Uri(host.BaseUrl), Timeout = TimeSpan.FromSeconds(60),
        };
        var keysBefore = await KeyCountAsync(api);

        var (memoryBefore, memoryAfter) = await MeasureAsync(async () =>
        {
            var (status, message) = await RawGrpc.CallWebAsync(http, CreateKey, Bomb.Value, "gzip");
            Assert.Equal(StatusCode.ResourceExhausted, status);
            Assert.Contains(LimitMessage, message);
        });

        Report("gRPC-Web (HTTP/1.1, main port), CreateMcpKey, signed in", memoryBefore, memoryAfter);
        AssertBounded(memoryBefore, memoryAfter);
        Assert.Equal(keysBefore, await KeyCountAsync(api));
    }

    [Fact]
    public async Task A_bomb_over_grpc_web_without_credentials_is_refused_before_it_is_read()
    {
        using var http = new HttpClient(new SocketsHttpHandler()) { BaseAddress = new Uri(host.BaseUrl), Timeout = TimeSpan.FromSeconds(60) };

        var (memoryBefore, memoryAfter) = await MeasureAsync(async () =>
        {
            var (status, _) = await RawGrpc.CallWebAsync(http, CreateKey, Bomb.Value, "gzip");
            Assert.Equal(StatusCode.Unauthenticated, status);
        });

        Report("gRPC-Web (HTTP/1.1, main port), CreateMcpKey, no credentials", memoryBefore, memoryAfter);
        AssertBounded(memoryBefore, memoryAfter);
    }

    [Fact]
    public async Task A_bomb_to_reflection_over_grpc_web_is_refused_unread_because_reflection_is_native_grpc_only()
    {
        using var http = new HttpClient(new SocketsHttpHandler()) { BaseAddress = new Uri(host.BaseUrl), Timeout = TimeSpan.FromSeconds(60) };

        var (memoryBefore, memoryAfter) = await MeasureAsync(async () =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, Reflection) { Content = new ByteArrayContent(Bomb.Value) };
            request.Content.Headers.ContentType = new("application/grpc-web");
            request.Headers.Add("grpc-encoding", "gzip");
            using var response = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        });

        Report("gRPC-Web (HTTP/1.1, main port), reflection, no credentials", memoryBefore, memoryAfter);
        AssertBounded(memoryBefore, memoryAfter);
    }

    /// <summary>The host's memory after one warm-up bomb and after <see cref="Bombs"/> more.</summary>
    private async Task<(HostMemory Before, HostMemory After)> MeasureAsync(Func<Task> sendBomb)
    {
        await sendBomb();
        var before = HostMemory.Of(host.ProcessId);
        for (var i = 0; i < Bombs; i++)
        {
            await sendBomb();
        }

        return (before, HostMemory.Of(host.ProcessId));
    }

    private void Report(string path, HostMemory before, HostMemory after) =>
        output.WriteLine(
            $"{Bombs} bombs of {Bomb.Value.Length / 1024.0:F0} KiB inflating to {HostMemory.MiB(Inflated)} each, {path}: " +
            $"VmRSS {HostMemory.MiB(before.ResidentBytes)} -> {HostMemory.MiB(after.ResidentBytes)} " +
            $"({HostMemory.MiB(after.ResidentBytes - before.ResidentBytes)} growth), " +
            $"VmHWM {HostMemory.MiB(before.PeakResidentBytes)} -> {HostMemory.MiB(after.PeakResidentBytes)}");

    private static void AssertBounded(HostMemory before, HostMemory after)
    {
        Assert.True(after.ResidentBytes - before.ResidentBytes < MaxGrowth,
            $"VmRSS grew by {HostMemory.MiB(after.ResidentBytes - before.ResidentBytes)}.");
        Assert.True(after.PeakResidentBytes - before.PeakResidentBytes < MaxGrowth,
            $"The peak VmHWM grew by {HostMemory.MiB(after.PeakResidentBytes - before.PeakResidentBytes)}.");
    }

    private static async Task<int> KeyCountAsync(PlatformApi api)
    {
        var count = 0;
        var request = new ListMcpKeysRequest { PageSize = 100 };
        do
        {
            var page = await api.Keys.ListMcpKeysAsync(request);
            count += page.McpKeys.Count;
            request.PageToken = page.NextPageToken;
        }
        while (request.PageToken.Length > 0);

        return count;
    }
}
