using System.Buffers.Binary;
using System.Text;
using Google.Protobuf;
using Google.Rpc;
using Grpc.Core;
using Microsoft.JSInterop;
using Perspective.Keys.V1;
using Perspective.WebUi.Components.Shared;
using Perspective.WebUi.Rpc;
using Status = Grpc.Core.Status;

namespace Perspective.WebUi.Tests;

/// <summary>The UI's gRPC-Web calls through fetch: the bytes sent, and every kind of answer read back.</summary>
public sealed class GrpcWebTransportTests
{
    private static readonly Dictionary<string, string> GrpcWeb = new() { ["content-type"] = "application/grpc-web+proto" };

    [Fact]
    public async Task A_call_posts_one_framed_message_to_the_methods_path_and_reads_the_answer()
    {
        var created = new CreateMcpKeyResponse { Token = "pmk_x", McpKey = new McpKey { Id = "k1", Name = "Laptop" } };
        var browser = new FakeBrowser(_ => new(200, GrpcWeb, [.. Message(created.ToByteArray()), .. Trailers("grpc-status: 0\r\n")]));
        var keys = new McpKeyService.McpKeyServiceClient(new FetchCallInvoker(browser, "https://perspective.example/"));

        var call = keys.CreateMcpKeyAsync(new CreateMcpKeyRequest { Name = "Laptop", Access = McpKeyAccess.ReadOnly });
        var response = await call;

        Assert.Equal(created, response);
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
        var (url, headers, body) = Assert.Single(browser.Calls);
        Assert.Equal("https://perspective.example/perspective.keys.v1.McpKeyService/CreateMcpKey", url);
        Assert.Equal("application/grpc-web+proto", headers["content-type"]);
        Assert.Equal("1", headers["x-grpc-web"]);
        Assert.Equal(0, body[0]);
        Assert.Equal((uint)(body.Length - 5), BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(1)));
        Assert.Equal(new CreateMcpKeyRequest { Name = "Laptop", Access = McpKeyAccess.ReadOnly }, CreateMcpKeyRequest.Parser.ParseFrom(body[5..]));
    }

    [Fact]
    public async Task A_refusal_in_the_trailers_keeps_its_message_and_the_field_it_is_about()
    {
        var details = new Google.Rpc.Status
        {
            Code = (int)StatusCode.InvalidArgument,
            Message = "Use at most 64 characters.",
            Details = { Google.Protobuf.WellKnownTypes.Any.Pack(new BadRequest { FieldViolations = { new BadRequest.Types.FieldViolation { Field = "name" } } }) },
        };
        // Unpadded base64, as servers may send it; the message percent-encoded, as the protocol says.
        var encodedDetails = Convert.ToBase64String(details.ToByteArray()).TrimEnd('=');
        var browser = new FakeBrowser(_ => new(200, GrpcWeb,
            Trailers($"grpc-status: 3\r\ngrpc-message: Use%20at%20most%2064%20characters.\r\ngrpc-status-details-bin: {encodedDetails}\r\n")));

        var error = await Assert.ThrowsAsync<RpcException>(() => Keys(browser).CreateMcpKeyAsync(new CreateMcpKeyRequest()).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal("Use at most 64 characters.", Display.Message(error));
        Assert.Equal("name", Display.Field(error));
    }

    [Fact]
    public async Task A_trailers_only_answer_reads_its_status_from_the_headers()
    {
        var headers = new Dictionary<string, string>(GrpcWeb) { ["grpc-status"] = "16", ["grpc-message"] = "Sign in first." };
        var browser = new FakeBrowser(_ => new(200, headers, []));

        var error = await Assert.ThrowsAsync<RpcException>(() => Keys(browser).ListMcpKeysAsync(new ListMcpKeysRequest()).ResponseAsync);

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.Equal("Sign in first.", error.Status.Detail);
        Assert.StartsWith(Display.SessionEnded, Display.Message(error), StringComparison.Ordinal);
    }

    [Fact]
    public async Task When_the_request_cannot_be_made_the_user_reads_that_the_service_could_not_be_reached()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            Keys(new FakeBrowser(_ => new(0, [], []))).ListMcpKeysAsync(new ListMcpKeysRequest()).ResponseAsync);

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Equal("The service could not be reached. Check your connection and try again.", Display.Message(error));
    }

    [Theory]
    [InlineData(502, StatusCode.Unavailable)]
    [InlineData(503, StatusCode.Unavailable)]
    [InlineData(401, StatusCode.Unauthenticated)]
    [InlineData(403, StatusCode.PermissionDenied)]
    [InlineData(404, StatusCode.Unimplemented)]
    [InlineData(500, StatusCode.Unknown)]
    public async Task An_http_error_from_a_proxy_gets_the_grpc_status_the_protocol_maps_it_to(int httpStatus, StatusCode expected)
    {
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            Keys(new FakeBrowser(_ => new(httpStatus, new() { ["content-type"] = "text/html" }, Encoding.UTF8.GetBytes("<h1>Bad gateway</h1>"))))
                .ListMcpKeysAsync(new ListMcpKeysRequest()).ResponseAsync);

        Assert.Equal(expected, error.StatusCode);
        Assert.Contains($"HTTP {httpStatus}", error.Status.Detail, StringComparison.Ordinal);
    }

    public static TheoryData<string, byte[]> MalformedAnswers => new()
    {
        { "a body cut inside a prefix", [0, 0, 0] },
        { "a length past the end", [0, 0, 0, 0, 9, 1, 2] },
        { "a length of 4 GiB", [0, 0xff, 0xff, 0xff, 0xff] },
        { "a compressed message", [1, 0, 0, 0, 0, .. Trailers("grpc-status: 0\r\n")] },
        { "two messages", [.. Message([]), .. Message([]), .. Trailers("grpc-status: 0\r\n")] },
        { "a message after the trailers", [.. Trailers("grpc-status: 0\r\n"), .. Message([])] },
        { "no trailers and no status", Message([]) },
        { "a status out of range", [.. Message([]), .. Trailers("grpc-status: 99\r\n")] },
        { "a status that is no number", [.. Message([]), .. Trailers("grpc-status: zero\r\n")] },
        { "success without a message", Trailers("grpc-status: 0\r\n") },
        { "a message that is not the response", [.. Message([0xff, 0xff, 0xff]), .. Trailers("grpc-status: 0\r\n")] },
    };

    [Theory]
    [MemberData(nameof(MalformedAnswers))]
    public async Task A_malformed_answer_is_an_internal_error_the_user_can_read(string what, byte[] body)
    {
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            Keys(new FakeBrowser(_ => new(200, GrpcWeb, body))).ListMcpKeysAsync(new ListMcpKeysRequest()).ResponseAsync);

        Assert.True(error.StatusCode == StatusCode.Internal, what);
        Assert.False(string.IsNullOrWhiteSpace(error.Status.Detail), what);
    }

    [Fact]
    public async Task An_answer_that_is_not_grpc_web_is_refused_even_with_status_200()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            Keys(new FakeBrowser(_ => new(200, new() { ["content-type"] = "text/html" }, Encoding.UTF8.GetBytes("<html>sign in</html>"))))
                .ListMcpKeysAsync(new ListMcpKeysRequest()).ResponseAsync);

        Assert.Equal(StatusCode.Internal, error.StatusCode);
    }

    [Fact]
    public async Task Undecodable_trailer_values_are_left_out_and_the_status_still_counts()
    {
        var browser = new FakeBrowser(_ => new(200, GrpcWeb, Trailers("grpc-status: 5\r\ngrpc-status-details-bin: !!not base64!!\r\nno colon here\r\n")));

        var error = await Assert.ThrowsAsync<RpcException>(() => Keys(browser).ListMcpKeysAsync(new ListMcpKeysRequest()).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.Null(Display.Field(error));
    }

    [Fact]
    public async Task A_cancelled_call_ends_at_once_with_status_cancelled()
    {
        var never = new TaskCompletionSource<FetchCallInvoker.FetchedResponse>();
        using var cancellation = new CancellationTokenSource();
        var call = Keys(new FakeBrowser(_ => throw new InvalidOperationException(), never.Task))
            .ListMcpKeysAsync(new ListMcpKeysRequest(), cancellationToken: cancellation.Token);

        await cancellation.CancelAsync();
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync);

        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
        Assert.Equal(StatusCode.Cancelled, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task Headers_and_a_deadline_of_the_call_are_sent()
    {
        var browser = new FakeBrowser(_ => new(200, GrpcWeb, [.. Message([]), .. Trailers("grpc-status: 0\r\n")]));

        await Keys(browser).ListMcpKeysAsync(new ListMcpKeysRequest(), new Metadata { { "x-request-id", "r1" }, { "trace-bin", [1, 2, 3] } },
            deadline: DateTime.UtcNow.AddMinutes(1));

        var headers = Assert.Single(browser.Calls).Headers;
        Assert.Equal("r1", headers["x-request-id"]);
        Assert.Equal("AQID", headers["trace-bin"]);
        Assert.Matches("^[0-9]{1,8}m$", headers["grpc-timeout"]);
    }

    [Fact]
    public void Streaming_and_blocking_calls_are_refused_plainly()
    {
        var invoker = new FetchCallInvoker(new FakeBrowser(_ => new(0, [], [])), "https://perspective.example");
        var method = new Method<ListMcpKeysRequest, ListMcpKeysResponse>(MethodType.ServerStreaming, "s", "m",
            Marshallers.Create((ListMcpKeysRequest r) => r.ToByteArray(), ListMcpKeysRequest.Parser.ParseFrom),
            Marshallers.Create((ListMcpKeysResponse r) => r.ToByteArray(), ListMcpKeysResponse.Parser.ParseFrom));

        Assert.Throws<NotSupportedException>(() => invoker.AsyncServerStreamingCall(method, null, default, new ListMcpKeysRequest()));
        Assert.Throws<NotSupportedException>(() => invoker.AsyncDuplexStreamingCall(method, null, default));
        Assert.Throws<NotSupportedException>(() => invoker.AsyncClientStreamingCall(method, null, default));
        Assert.Throws<NotSupportedException>(() => invoker.BlockingUnaryCall(method, null, default, new ListMcpKeysRequest()));
    }

    private static McpKeyService.McpKeyServiceClient Keys(FakeBrowser browser) =>
        new(new FetchCallInvoker(browser, "https://perspective.example"));

    private static byte[] Message(byte[] payload) => Frame(0x00, payload);

    private static byte[] Trailers(string block) => Frame(0x80, Encoding.ASCII.GetBytes(block));

    private static byte[] Frame(byte flag, byte[] payload)
    {
        var frame = new byte[5 + payload.Length];
        frame[0] = flag;
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)payload.Length);
        payload.CopyTo(frame, 5);
        return frame;
    }

    /// <summary>Stands in for <c>perspective.grpcWebUnary</c>: records each request and answers as told.</summary>
    private sealed class FakeBrowser(
        Func<byte[], FetchCallInvoker.FetchedResponse> answer, Task<FetchCallInvoker.FetchedResponse>? pending = null) : IJSRuntime
    {
        public List<(string Url, Dictionary<string, string> Headers, byte[] Body)> Calls { get; } = [];

        public ValueTask<TValue> InvokeAsync<TValue>(string identifier, object?[]? args) =>
            InvokeAsync<TValue>(identifier, CancellationToken.None, args);

        public async ValueTask<TValue> InvokeAsync<TValue>(string identifier, CancellationToken cancellationToken, object?[]? args)
        {
            Assert.Equal("perspective.grpcWebUnary", identifier);
            var body = (byte[])args![2]!;
            Calls.Add(((string)args[0]!, (Dictionary<string, string>)args[1]!, body));
            var response = pending is null ? answer(body) : await pending;
            return (TValue)(object)response;
        }
    }
}
