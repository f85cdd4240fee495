using Grpc.Core;
using Microsoft.JSInterop;

namespace Perspective.WebUi.Rpc;

/// <summary>
/// Makes the generated gRPC clients' unary calls as gRPC-Web requests through the browser's <c>fetch</c>
/// (<c>perspective.grpcWebUnary</c> in <c>js/perspective.js</c>), to the origin that served the app; the browser
/// sends the sign-in cookie.
/// </summary>
/// <remarks>
/// Grpc.Net.Client with its gRPC-Web handler does the same through HttpClient, and brings HttpClient, HTTP/2,
/// compression and diagnostics code along: about 0.2 MB (Brotli) of the UI's first load, for calls the browser
/// makes anyway. The UI makes unary calls only; streaming calls are refused.
/// </remarks>
internal sealed class FetchCallInvoker(IJSRuntime js, string baseAddress) : CallInvoker
{
    private readonly string origin = baseAddress.TrimEnd('/');

    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(
        Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
    {
        var call = new FetchedCall<TResponse>();
        var response = call.RunAsync(() => SendAsync(method, options, request, call), options.CancellationToken);
        return new AsyncUnaryCall<TResponse>(response, call.Headers, call.GetStatus, call.GetTrailers, () => { });
    }

    public override TResponse BlockingUnaryCall<TRequest, TResponse>(
        Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
        throw new NotSupportedException("A browser cannot wait for a call; use the call's Async method.");

    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(
        Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
        throw new NotSupportedException("The settings UI makes unary calls only.");

    public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(
        Method<TRequest, TResponse> method, string? host, CallOptions options) =>
        throw new NotSupportedException("The settings UI makes unary calls only.");

    public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(
        Method<TRequest, TResponse> method, string? host, CallOptions options) =>
        throw new NotSupportedException("The settings UI makes unary calls only.");

    private async Task<TResponse> SendAsync<TRequest, TResponse>(
        Method<TRequest, TResponse> method, CallOptions options, TRequest request, FetchedCall<TResponse> call)
        where TRequest : class
        where TResponse : class
    {
        var headers = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["content-type"] = GrpcWebFrames.ContentType,
            ["x-grpc-web"] = "1",
        };
        foreach (var entry in options.Headers ?? [])
        {
            headers[entry.Key] = entry.IsBinary ? Convert.ToBase64String(entry.ValueBytes) : entry.Value;
        }

        if (options.Deadline is { } deadline && deadline != DateTime.MaxValue)
        {
            var left = Math.Max(1, (long)Math.Ceiling((deadline.ToUniversalTime() - DateTime.UtcNow).TotalMilliseconds));
            headers["grpc-timeout"] = $"{Math.Min(left, 99_999_999)}m";
        }

        var body = GrpcWebFrames.Frame(request, method.RequestMarshaller);
        var fetched = await js.InvokeAsync<FetchedResponse>("perspective.grpcWebUnary", origin + method.FullName, headers, body);
        var responseHeaders = fetched.Headers ?? [];
        call.SetHeaders(responseHeaders);
        try
        {
            var message = GrpcWebFrames.ReadResponse(fetched.Status, responseHeaders, fetched.Body, out var trailers);
            call.SetOutcome(Status.DefaultSuccess, trailers);
            try
            {
                return method.ResponseMarshaller.ContextualDeserializer(new ReceivedMessage(message));
            }
            catch (Exception e) when (e is not RpcException)
            {
                var status = new Status(StatusCode.Internal, "The service's answer could not be read. Reload the page and try again.");
                call.SetOutcome(status, trailers);
                throw new RpcException(status, trailers);
            }
        }
        catch (RpcException e)
        {
            call.SetOutcome(e.Status, e.Trailers);
            throw;
        }
    }

    /// <summary>A received message, as the generated clients' deserializers read it.</summary>
    private sealed class ReceivedMessage(byte[] payload) : DeserializationContext
    {
        public override int PayloadLength => payload.Length;

        public override byte[] PayloadAsNewBuffer() => (byte[])payload.Clone();

        public override System.Buffers.ReadOnlySequence<byte> PayloadAsReadOnlySequence() => new(payload);
    }

    /// <summary>What <c>perspective.grpcWebUnary</c> answers: HTTP status (0 when fetch failed), headers, body.</summary>
    internal sealed record FetchedResponse(int Status, Dictionary<string, string>? Headers, byte[]? Body);

    /// <summary>The state of one call, for <see cref="AsyncUnaryCall{TResponse}"/>'s headers, status and trailers.</summary>
    private sealed class FetchedCall<TResponse>
    {
        private readonly TaskCompletionSource<Metadata> headers = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private Status? status;
        private Metadata? trailers;

        public Task<Metadata> Headers => headers.Task;

        public void SetHeaders(IReadOnlyDictionary<string, string> values)
        {
            var metadata = new Metadata();
            foreach (var (name, value) in values)
            {
                if (!name.EndsWith(Metadata.BinaryHeaderSuffix, StringComparison.Ordinal) && !name.StartsWith("grpc-", StringComparison.Ordinal))
                {
                    try
                    {
                        metadata.Add(name, value);
                    }
                    catch (ArgumentException)
                    {
                        // A header name Metadata refuses (upper case never comes from fetch) is left out.
                    }
                }
            }

            headers.TrySetResult(metadata);
        }

        public void SetOutcome(Status value, Metadata values) => (status, trailers) = (value, values);

        public Status GetStatus() => status ?? throw new InvalidOperationException("The call has not finished.");

        public Metadata GetTrailers() => trailers ?? throw new InvalidOperationException("The call has not finished.");

        public async Task<TResponse> RunAsync(Func<Task<TResponse>> send, CancellationToken cancellation)
        {
            try
            {
                // Cancelling stops the wait; the browser's request, already sent, runs to its end unread.
                return await send().WaitAsync(cancellation);
            }
            catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
            {
                var cancelled = new Status(StatusCode.Cancelled, "The call was cancelled.");
                SetOutcome(cancelled, []);
                throw new RpcException(cancelled);
            }
            catch (JSException e)
            {
                var failed = new Status(StatusCode.Internal, $"The browser could not make the call: {e.Message}");
                SetOutcome(failed, []);
                throw new RpcException(failed);
            }
            finally
            {
                headers.TrySetResult([]);
            }
        }
    }
}
