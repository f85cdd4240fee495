using System.Buffers.Binary;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using Grpc.Core;

namespace Perspective.IntegrationTests.HostileInput;

/// <summary>
/// Sends hand-made gRPC and gRPC-Web frames, as an attacker would, and reads the status back:
/// generated clients cannot send a malformed or bomb-sized message.
/// </summary>
public static class RawGrpc
{
    /// <summary>A length-prefixed gRPC frame; <paramref name="compressed"/> sets the frame's compressed flag.</summary>
    public static byte[] Frame(byte[] message, bool compressed)
    {
        var frame = new byte[5 + message.Length];
        frame[0] = compressed ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)message.Length);
        message.CopyTo(frame, 5);
        return frame;
    }

    /// <summary>
    /// gzip of a protobuf message whose field <paramref name="field"/> is a string of
    /// <paramref name="inflatedLength"/> zero bytes: a few hundred KiB that inflate to that length.
    /// </summary>
    public static byte[] GzipBomb(int field, long inflatedLength)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            gzip.WriteByte((byte)(field << 3 | 2));
            for (var length = (ulong)inflatedLength; ; length >>= 7)
            {
                if (length < 0x80)
                {
                    gzip.WriteByte((byte)length);
                    break;
                }

                gzip.WriteByte((byte)(length | 0x80));
            }

            var zeros = new byte[1024 * 1024];
            for (var written = 0L; written < inflatedLength; written += zeros.Length)
            {
                gzip.Write(zeros, 0, (int)Math.Min(zeros.Length, inflatedLength - written));
            }
        }

        return output.ToArray();
    }

    public static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }

    /// <summary>Posts one frame over native gRPC (HTTP/2) and returns the call's status and message.</summary>
    public static async Task<(StatusCode Status, string Message)> CallAsync(HttpClient client, string path, byte[] frame, string? encoding = null)
    {
        using var request = Request(path, frame, "application/grpc", encoding);
        request.Version = HttpVersion.Version20;
        request.VersionPolicy = HttpVersionPolicy.RequestVersionExact;
        request.Headers.TE.Add(new TransferCodingWithQualityHeaderValue("trailers"));
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await response.Content.ReadAsByteArrayAsync();
        var headers = response.TrailingHeaders.Contains("grpc-status") ? response.TrailingHeaders : response.Headers;
        return (Status(headers), Message(headers));
    }

    /// <summary>Posts one frame over gRPC-Web (HTTP/1.1, as the browser does) and reads the status from the trailer frame.</summary>
    public static async Task<(StatusCode Status, string Message)> CallWebAsync(HttpClient client, string path, byte[] frame, string? encoding = null)
    {
        using var request = Request(path, frame, "application/grpc-web", encoding);
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        if (response.Headers.Contains("grpc-status"))
        {
            return (Status(response.Headers), Message(response.Headers));
        }

        var body = await response.Content.ReadAsByteArrayAsync();
        for (var offset = 0; offset + 5 <= body.Length;)
        {
            var length = (int)BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(offset + 1));
            if ((body[offset] & 0x80) != 0)
            {
                var trailers = System.Text.Encoding.ASCII.GetString(body, offset + 5, length)
                    .Split("\r\n", StringSplitOptions.RemoveEmptyEntries)
                    .Select(line => line.Split(':', 2))
                    .ToDictionary(pair => pair[0].Trim().ToLowerInvariant(), pair => pair[1].Trim());
                return ((StatusCode)int.Parse(trailers["grpc-status"]), Uri.UnescapeDataString(trailers.GetValueOrDefault("grpc-message", "")));
            }

            offset += 5 + length;
        }

        throw new InvalidOperationException("The gRPC-Web response has no trailer frame.");
    }

    private static HttpRequestMessage Request(string path, byte[] frame, string contentType, string? encoding)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(frame) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        if (encoding is not null)
        {
            request.Headers.Add("grpc-encoding", encoding);
        }

        return request;
    }

    private static StatusCode Status(HttpHeaders headers) => (StatusCode)int.Parse(headers.GetValues("grpc-status").Single());

    private static string Message(HttpHeaders headers) =>
        headers.TryGetValues("grpc-message", out var values) ? Uri.UnescapeDataString(values.Single()) : "";
}
