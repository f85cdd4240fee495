using System.Net;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Perspective.Identity.Seeding;
using Perspective.Keys.Storage;
using Perspective.McpHost.GrpcInput;
using Xunit.Abstractions;

namespace Perspective.IntegrationTests.HostileInput;

/// <summary>Measures allocations, so nothing else may run beside it.</summary>
[CollectionDefinition(nameof(MemoryMeasured), DisableParallelization = true)]
public sealed class MemoryMeasured;

[Collection(nameof(MemoryMeasured))]
public sealed class GrpcHostileInputTests(PlatformFactory factory, ITestOutputHelper output) : IClassFixture<PlatformFactory>
{
    private const string Reflection = "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo";
    private const string CreateKey = "/perspective.keys.v1.McpKeyService/CreateMcpKey";
    private const long BombSize = 150L * 1024 * 1024;

    [Fact]
    public async Task A_decompression_bomb_to_reflection_without_credentials_is_refused_within_the_receive_limit()
    {
        var bomb = RawGrpc.Frame(RawGrpc.GzipBomb(field: 1, BombSize), compressed: true);
        using var client = factory.CreateClient();
        Assert.True(bomb.Length < 200 * 1024, $"The bomb should be small on the wire; it is {bomb.Length} bytes.");

        var allocated = await AllocatedPerCallAsync(async () =>
        {
            var (status, message) = await RawGrpc.CallAsync(client, Reflection, bomb, "gzip");
            Assert.Equal(StatusCode.ResourceExhausted, status);
            Assert.Contains($"larger than {GrpcInputLimits.MaxReceiveMessageSize} bytes once decompressed", message);
        });

        output.WriteLine($"Allocated per 150 MiB bomb (native gRPC, reflection): {allocated / 1024.0 / 1024.0:F1} MiB");
        Assert.True(allocated < 16 * 1024 * 1024, $"A bomb cost {allocated} bytes of allocations; the limit is 1 MiB of inflated message.");
    }

    [Fact]
    public async Task A_decompression_bomb_as_a_key_name_over_grpc_web_is_refused_and_creates_nothing()
    {
        var cookies = await factory.SignInAsync(DemoSeed.DemoEmail, DemoSeed.DemoPassword);
        using var client = factory.CreateBrowserLikeClient(cookies);
        var bomb = RawGrpc.Frame(RawGrpc.GzipBomb(field: 1, BombSize), compressed: true);
        var keysBefore = await KeyCountAsync();

        var allocated = await AllocatedPerCallAsync(async () =>
        {
            var (status, _) = await RawGrpc.CallWebAsync(client, CreateKey, bomb, "gzip");
            Assert.Equal(StatusCode.ResourceExhausted, status);
        });

        output.WriteLine($"Allocated per 150 MiB bomb (gRPC-Web, CreateMcpKey): {allocated / 1024.0 / 1024.0:F1} MiB");
        Assert.True(allocated < 16 * 1024 * 1024, $"A bomb cost {allocated} bytes of allocations.");
        Assert.Equal(keysBefore, await KeyCountAsync());
    }

    [Fact]
    public async Task A_compressed_message_within_the_limit_still_works()
    {
        using var client = factory.CreateClient();
        var listServices = new Grpc.Reflection.V1Alpha.ServerReflectionRequest { ListServices = "" }.ToByteArray();

        var (status, _) = await RawGrpc.CallAsync(client, Reflection, RawGrpc.Frame(RawGrpc.Gzip(listServices), compressed: true), "gzip");

        Assert.Equal(StatusCode.OK, status);
    }

    [Fact]
    public async Task An_uncompressed_message_over_the_limit_is_refused()
    {
        using var client = factory.CreateClient();

        var (status, _) = await RawGrpc.CallAsync(client, Reflection, RawGrpc.Frame(new byte[GrpcInputLimits.MaxReceiveMessageSize + 1], compressed: false));

        Assert.Equal(StatusCode.ResourceExhausted, status);
    }

    [Fact]
    public async Task A_frame_marked_gzip_that_is_not_gzip_is_an_invalid_argument()
    {
        using var client = factory.CreateClient();

        var (status, message) = await RawGrpc.CallAsync(client, Reflection, RawGrpc.Frame("not gzip at all"u8.ToArray(), compressed: true), "gzip");

        Assert.Equal(StatusCode.InvalidArgument, status);
        Assert.Contains("not valid gzip", message);
    }

    [Fact]
    public async Task An_unsupported_encoding_is_unimplemented_and_names_the_supported_ones()
    {
        using var client = factory.CreateClient();

        var (status, message) = await RawGrpc.CallAsync(client, Reflection, RawGrpc.Frame([1, 2, 3], compressed: true), "br");

        Assert.Equal(StatusCode.Unimplemented, status);
        Assert.Contains("gzip", message);
    }

    public static TheoryData<string, byte[]> MalformedMessages => new()
    {
        { "truncated varint", [0x0A, 0xFF, 0xFF, 0xFF] },
        { "length past the end", [0x0A, 0x10, 0x41] },
        { "invalid wire type", [0x0F, 0x00] },
        { "field number zero", [0x02, 0x00] },
        { "end group without start", [0x0C] },
    };

    [Theory]
    [MemberData(nameof(MalformedMessages))]
    public async Task A_malformed_protobuf_message_is_an_invalid_argument_on_every_path(string what, byte[] message)
    {
        var cookies = await factory.SignInAsync(DemoSeed.DemoEmail, DemoSeed.DemoPassword);
        using var signedIn = factory.CreateBrowserLikeClient(cookies);
        var keysBefore = await KeyCountAsync();

        var reflection = await RawGrpc.CallAsync(signedIn, Reflection, RawGrpc.Frame(message, compressed: false));
        var native = await RawGrpc.CallAsync(signedIn, CreateKey, RawGrpc.Frame(message, compressed: false));
        var web = await RawGrpc.CallWebAsync(signedIn, CreateKey, RawGrpc.Frame(message, compressed: false));

        Assert.True(reflection.Status == StatusCode.InvalidArgument, $"{what}: reflection answered {reflection}");
        Assert.True(native.Status == StatusCode.InvalidArgument, $"{what}: native gRPC answered {native}");
        Assert.True(web.Status == StatusCode.InvalidArgument, $"{what}: gRPC-Web answered {web}");
        Assert.Contains("not a valid CreateMcpKeyRequest message", native.Message);
        Assert.Equal(keysBefore, await KeyCountAsync());
    }

    private async Task<int> KeyCountAsync()
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<KeysDataContext>().McpKeys.CountAsync();
    }

    /// <summary>Bytes allocated by the whole process per call, over a few calls after a warm-up.</summary>
    private static async Task<long> AllocatedPerCallAsync(Func<Task> call)
    {
        const int calls = 4;
        await call();
        var before = GC.GetTotalAllocatedBytes(precise: true);
        for (var i = 0; i < calls; i++)
        {
            await call();
        }

        return (GC.GetTotalAllocatedBytes(precise: true) - before) / calls;
    }
}
