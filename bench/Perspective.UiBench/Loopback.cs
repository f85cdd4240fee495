using System.Net;
using System.Net.Sockets;

namespace Perspective.UiBench;

internal static class Loopback
{
    /// <summary>A loopback port free at this moment (released at once: a bench run on a busy machine may lose it, and then fails).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
