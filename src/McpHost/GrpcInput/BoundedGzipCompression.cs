using System.IO.Compression;
using Grpc.Core;
using Grpc.Net.Compression;

namespace Perspective.McpHost.GrpcInput;

/// <summary>
/// gzip for gRPC messages whose inflated size is capped at the receive limit. grpc-dotnet limits
/// only the compressed frame, then inflates it whole into memory: a 150 KiB frame can become
/// 150 MiB. This provider stops inflating one byte past the limit and fails the call with
/// <c>RESOURCE_EXHAUSTED</c>, so a request never costs more memory than an uncompressed one may.
/// </summary>
public sealed class BoundedGzipCompression(int maxMessageSize) : ICompressionProvider
{
    public string EncodingName => "gzip";

    public Stream CreateCompressionStream(Stream stream, CompressionLevel? compressionLevel) =>
        new GZipStream(stream, compressionLevel ?? CompressionLevel.Fastest, leaveOpen: true);

    public Stream CreateDecompressionStream(Stream stream) =>
        new InflationLimit(new GZipStream(stream, CompressionMode.Decompress), maxMessageSize);

    /// <summary>A read-only stream that throws once more than <c>limit</c> bytes have come out of it.</summary>
    private sealed class InflationLimit(Stream inner, int limit) : Stream
    {
        private long produced;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => produced; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            try
            {
                return Count(inner.Read(buffer));
            }
            catch (InvalidDataException)
            {
                throw NotGzip();
            }
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            try
            {
                return Count(await inner.ReadAsync(buffer, cancellationToken));
            }
            catch (InvalidDataException)
            {
                throw NotGzip();
            }
        }

        private static RpcException NotGzip() => new(new Status(StatusCode.InvalidArgument,
            "The request message is marked gzip-compressed but is not valid gzip data."));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        private int Count(int read)
        {
            produced += read;
            if (produced > limit)
            {
                throw new RpcException(new Status(StatusCode.ResourceExhausted,
                    $"The request message is larger than {limit} bytes once decompressed. Send a smaller message."));
            }

            return read;
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
