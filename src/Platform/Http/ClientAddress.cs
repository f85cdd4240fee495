using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Http;

namespace Perspective.Platform.Http;

/// <summary>The client address a per-address limit counts against.</summary>
public static class ClientAddress
{
    /// <summary>
    /// The IPv4 address, or the /64 prefix of an IPv6 address: one subscriber or site gets a whole
    /// /64, so counting single IPv6 addresses would give one client 2^64 budgets.
    /// </summary>
    public static string Of(HttpContext context) => Of(context.Connection.RemoteIpAddress);

    public static string Of(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4().ToString();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }
}
