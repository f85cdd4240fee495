namespace Perspective.Identity.OAuth;

/// <summary>Reads a stream from someone untrusted without letting its length decide how much is read or kept.</summary>
internal static class BoundedReads
{
    /// <summary>
    /// The whole of <paramref name="stream"/> if it has at most <paramref name="maxBytes"/> bytes, otherwise null
    /// after reading just one byte more than that: the rest is never pulled.
    /// </summary>
    public static async Task<ReadOnlyMemory<byte>?> ReadAtMostAsync(Stream stream, int maxBytes, CancellationToken cancellationToken)
    {
        var buffer = new byte[maxBytes + 1];
        var length = 0;
        int read;
        while (length < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken)) > 0)
        {
            length += read;
        }

        // Not a conditional expression: null would silently convert to an empty Memory<byte> (through byte[]).
        if (length > maxBytes)
        {
            return null;
        }

        return buffer.AsMemory(0, length);
    }
}
