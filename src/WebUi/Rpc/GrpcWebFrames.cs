using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Grpc.Core;

namespace Perspective.WebUi.Rpc;

/// <summary>
/// The gRPC-Web wire format of a unary call (https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-WEB.md): a
/// request is one length-prefixed message; a response is at most one message followed by one trailer frame, or,
/// when the call failed before any message, no body and the status in the HTTP headers ("trailers-only").
/// </summary>
internal static class GrpcWebFrames
{
    /// <summary>The content type the UI sends and expects back: binary Protobuf messages.</summary>
    public const string ContentType = "application/grpc-web+proto";

    private const byte MessageFlag = 0x00;
    private const byte TrailerFlag = 0x80;
    private const int PrefixLength = 5;

    /// <summary>The request body: the serialized message behind its uncompressed-frame prefix.</summary>
    public static byte[] Frame<T>(T message, Marshaller<T> marshaller)
    {
        var frame = new MessageFrame();
        marshaller.ContextualSerializer(message, frame);
        return frame.Body ?? throw new InvalidOperationException("The serializer did not complete the message.");
    }

    /// <summary>Receives a serialized message, as the generated clients' serializers write it, behind the frame prefix.</summary>
    private sealed class MessageFrame : SerializationContext
    {
        private ArrayBufferWriter<byte>? writer;

        public byte[]? Body { get; private set; }

        public override void Complete(byte[] payload) => Body = Prefixed(payload);

        public override IBufferWriter<byte> GetBufferWriter() => writer ??= new ArrayBufferWriter<byte>();

        public override void SetPayloadLength(int payloadLength) => writer ??= new ArrayBufferWriter<byte>(Math.Max(payloadLength, 1));

        public override void Complete() => Body = Prefixed(writer is null ? [] : writer.WrittenSpan);

        private static byte[] Prefixed(ReadOnlySpan<byte> payload)
        {
            var body = new byte[PrefixLength + payload.Length];
            body[0] = MessageFlag;
            BinaryPrimitives.WriteUInt32BigEndian(body.AsSpan(1, 4), (uint)payload.Length);
            payload.CopyTo(body.AsSpan(PrefixLength));
            return body;
        }
    }

    /// <summary>
    /// Reads the response of a call from its HTTP status, headers (lower-case names) and body; throws
    /// <see cref="RpcException"/> with the call's status when it failed, and when the answer is not gRPC-Web.
    /// </summary>
    public static byte[] ReadResponse(int httpStatus, IReadOnlyDictionary<string, string> headers, ReadOnlySpan<byte> body, out Metadata trailers)
    {
        trailers = [];
        if (httpStatus == 0)
        {
            // fetch() itself failed: offline, DNS, a dropped connection. Display.Message words an empty detail.
            throw new RpcException(new Status(StatusCode.Unavailable, ""), trailers);
        }

        if (httpStatus != 200)
        {
            throw new RpcException(
                new Status(FromHttpStatus(httpStatus), $"The service could not be reached (HTTP {httpStatus}). Try again in a moment."), trailers);
        }

        if (!headers.TryGetValue("content-type", out var contentType) || !contentType.StartsWith("application/grpc-web", StringComparison.OrdinalIgnoreCase))
        {
            throw Malformed("an answer that is not gRPC-Web", trailers);
        }

        byte[]? message = null;
        var sawTrailers = false;
        while (!body.IsEmpty)
        {
            if (body.Length < PrefixLength)
            {
                throw Malformed("a cut-off frame", trailers);
            }

            var flag = body[0];
            var length = BinaryPrimitives.ReadUInt32BigEndian(body.Slice(1, 4));
            if (length > (uint)(body.Length - PrefixLength))
            {
                throw Malformed("a cut-off frame", trailers);
            }

            var payload = body.Slice(PrefixLength, (int)length);
            body = body[(PrefixLength + (int)length)..];
            if (flag == TrailerFlag && !sawTrailers)
            {
                sawTrailers = true;
                ReadTrailerBlock(Encoding.ASCII.GetString(payload), trailers);
            }
            else if (flag == MessageFlag && message is null && !sawTrailers)
            {
                message = payload.ToArray();
            }
            else
            {
                // Compressed frames (never asked for), a second message, anything after the trailers.
                throw Malformed("an unexpected frame", trailers);
            }
        }

        if (!sawTrailers)
        {
            // Trailers-only: the call failed before any message and its status came as HTTP headers.
            foreach (var (name, value) in headers)
            {
                if (name.StartsWith("grpc-", StringComparison.Ordinal))
                {
                    AddEntry(trailers, name, value);
                }
            }
        }

        var status = StatusOf(trailers);
        if (status.StatusCode != StatusCode.OK)
        {
            throw new RpcException(status, trailers);
        }

        return message ?? throw Malformed("no message", trailers);
    }

    /// <summary>The status code the gRPC HTTP mapping gives a response that is not a gRPC answer.</summary>
    public static StatusCode FromHttpStatus(int httpStatus) => httpStatus switch
    {
        400 => StatusCode.Internal,
        401 => StatusCode.Unauthenticated,
        403 => StatusCode.PermissionDenied,
        404 => StatusCode.Unimplemented,
        429 or 502 or 503 or 504 => StatusCode.Unavailable,
        _ => StatusCode.Unknown,
    };

    private static Status StatusOf(Metadata trailers)
    {
        var code = trailers.GetValue("grpc-status");
        if (code is null || !int.TryParse(code, out var value) || value is < 0 or > (int)StatusCode.Unauthenticated)
        {
            return new Status(StatusCode.Internal, "The service's answer carried no status.");
        }

        var message = trailers.GetValue("grpc-message");
        return new Status((StatusCode)value, message is null ? "" : Uri.UnescapeDataString(message));
    }

    private static void ReadTrailerBlock(string block, Metadata trailers)
    {
        foreach (var line in block.Split("\r\n", StringSplitOptions.RemoveEmptyEntries))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                AddEntry(trailers, line[..colon].Trim().ToLowerInvariant(), line[(colon + 1)..].Trim());
            }
        }
    }

    private static void AddEntry(Metadata trailers, string name, string value)
    {
        try
        {
            if (name.EndsWith(Metadata.BinaryHeaderSuffix, StringComparison.Ordinal))
            {
                // Binary values are base64, with or without padding.
                var padded = value.PadRight(value.Length + ((4 - (value.Length % 4)) % 4), '=');
                trailers.Add(name, Convert.FromBase64String(padded));
            }
            else
            {
                trailers.Add(name, value);
            }
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            // A name or value Metadata refuses is no part of the call's outcome; the status still is.
        }
    }

    private static RpcException Malformed(string what, Metadata trailers) =>
        new(new Status(StatusCode.Internal, $"The service sent {what}. Reload the page and try again."), trailers);
}
