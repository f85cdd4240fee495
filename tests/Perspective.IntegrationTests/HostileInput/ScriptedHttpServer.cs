using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Perspective.IntegrationTests.HostileInput;

/// <summary>
/// A loopback HTTP/1.1 server that answers every request by running a script on the raw connection, so a test
/// can serve what no well-behaved server would: bodies that trickle, break off, never end or lie about their length.
/// </summary>
public sealed class ScriptedHttpServer : IAsyncDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource stop = new();
    private readonly Func<Stream, CancellationToken, Task> script;
    private readonly Task accepting;

    public ScriptedHttpServer(Func<Stream, CancellationToken, Task> script)
    {
        this.script = script;
        listener.Start();
        accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

    /// <summary>A server that answers 200 with <paramref name="body"/> as JSON at once.</summary>
    public static ScriptedHttpServer Answering(byte[] body) => new(async (connection, cancellationToken) =>
    {
        await WriteAsync(connection, $"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\n\r\n", cancellationToken);
        await connection.WriteAsync(body, cancellationToken);
    });

    public static ScriptedHttpServer Answering(string json) => Answering(Encoding.UTF8.GetBytes(json));

    public static Task WriteAsync(Stream connection, string text, CancellationToken cancellationToken) =>
        connection.WriteAsync(Encoding.ASCII.GetBytes(text), cancellationToken).AsTask();

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        listener.Stop();
        try
        {
            await accepting;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopping is what ends the accept loop.
        }

        stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            var client = await listener.AcceptTcpClientAsync(stop.Token);
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var connection = client.GetStream();
                await SkipRequestHeadersAsync(connection, stop.Token);
                await script(connection, stop.Token);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or SocketException or ObjectDisposedException)
            {
                // The fetcher hung up (as it should on a bad document) or the test ended.
            }
        }
    }

    // The fetcher's GET has no body: the request ends with its blank line.
    private static async Task SkipRequestHeadersAsync(Stream connection, CancellationToken cancellationToken)
    {
        var last4 = 0u;
        var one = new byte[1];
        while (last4 != 0x0D0A0D0A)
        {
            if (await connection.ReadAsync(one, cancellationToken) == 0)
            {
                throw new IOException("The request ended before its headers did.");
            }

            last4 = (last4 << 8) | one[0];
        }
    }
}
