using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace Perspective.Identity.OAuth;

/// <summary>
/// The connection step of metadata document fetches (a <see cref="SocketsHttpHandler.ConnectCallback"/>): the host
/// name is resolved once, every address it resolves to is checked, and the socket connects to one of exactly
/// those checked addresses. Nothing resolves the name a second time, so DNS cannot answer "public" to the check
/// and "internal" to the connection (rebinding); a name with any non-public address is refused as a whole.
/// </summary>
public static class PublicAddressGuard
{
    /// <summary>Null when a fetch may connect to <paramref name="resolved"/>, otherwise why not.</summary>
    /// <param name="ownAddresses">This host's own addresses: a public one still reaches services listening only here.</param>
    public static string? Refusal(IReadOnlyList<IPAddress> resolved, IReadOnlySet<IPAddress> ownAddresses)
    {
        if (resolved.Count == 0)
        {
            return "it resolves to no address.";
        }

        foreach (var address in resolved.Select(Unmapped))
        {
            if (NonPublicAddresses.Contains(address))
            {
                return "it resolves to a non-public address.";
            }

            if (ownAddresses.Contains(address))
            {
                return "it resolves to one of this host's own addresses.";
            }
        }

        return null;
    }

    internal static async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var endpoint = context.DnsEndPoint;
        var addresses = await Dns.GetHostAddressesAsync(endpoint.Host, cancellationToken);
        if (Refusal(addresses, OwnAddresses()) is { } refusal)
        {
            throw new HttpRequestException(HttpRequestError.ConnectionError, $"{endpoint.Host} is not fetched: {refusal}");
        }

        for (var i = 0; ; i++)
        {
            var socket = new Socket(addresses[i].AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(addresses[i], endpoint.Port), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException) when (i < addresses.Length - 1)
            {
                socket.Dispose(); // the next checked address may answer
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
    }

    // Read on every fetch, not cached: interfaces and their addresses change while the host runs.
    private static HashSet<IPAddress> OwnAddresses() => NetworkInterface.GetAllNetworkInterfaces()
        .SelectMany(network => network.GetIPProperties().UnicastAddresses)
        .Select(unicast => Unmapped(unicast.Address))
        .ToHashSet();

    private static IPAddress Unmapped(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
