using System.Net;
using System.Net.Sockets;

namespace Perspective.Identity.OAuth;

/// <summary>
/// Addresses a fetch on behalf of an anonymous caller must never reach: everything that is not a public
/// unicast address on the internet. Addresses that carry an IPv4 address inside an IPv6 one are judged by
/// what they lead to: IPv4-mapped by the IPv4 address, 6to4 by the one it embeds; IPv4-compatible (::/96)
/// and NAT64 (64:ff9b::/96, 64:ff9b:1::/48) are refused outright, as the gateway they go through is local.
/// </summary>
public static class NonPublicAddresses
{
    public static bool Contains(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        var bytes = address.GetAddressBytes();
        return address.AddressFamily == AddressFamily.InterNetwork ? IsNonPublicV4(bytes) : IsNonPublicV6(bytes);
    }

    private static bool IsNonPublicV4(ReadOnlySpan<byte> b) =>
        b[0] is 0 or 10 or 127 or >= 224 ||             // "this network", private, loopback; multicast 224/4, reserved 240/4 and broadcast
        (b[0] == 100 && (b[1] & 0xC0) == 64) ||         // 100.64/10 shared address space (carrier-grade NAT)
        (b[0] == 169 && b[1] == 254) ||                 // link-local, where cloud metadata services answer
        (b[0] == 172 && (b[1] & 0xF0) == 16) ||         // 172.16/12 private
        (b[0] == 192 && b[1] == 0 && b[2] == 0) ||      // 192.0.0/24 IETF protocol assignments
        (b[0] == 192 && b[1] == 168) ||                 // private
        (b[0] == 198 && (b[1] & 0xFE) == 18);           // 198.18/15 benchmarking

    private static bool IsNonPublicV6(ReadOnlySpan<byte> b)
    {
        if (b[..12].IndexOfAnyExcept((byte)0) < 0)
        {
            return true;                                // ::/96: unspecified, loopback and IPv4-compatible
        }

        if (b[..12].SequenceEqual(Nat64) || b[..6].SequenceEqual(LocalNat64))
        {
            return true;
        }

        if (b[0] == 0x20 && b[1] == 0x02)
        {
            return IsNonPublicV4(b.Slice(2, 4));        // 6to4 reaches the IPv4 address it embeds
        }

        return (b[0] & 0xFE) == 0xFC ||                 // fc00::/7 unique local
               (b[0] == 0xFE && (b[1] & 0x80) == 0x80) || // fe80::/10 link-local and fec0::/10 (deprecated) site-local
               b[0] == 0xFF;                            // ff00::/8 multicast
    }

    private static ReadOnlySpan<byte> Nat64 => [0x00, 0x64, 0xFF, 0x9B, 0, 0, 0, 0, 0, 0, 0, 0];

    private static ReadOnlySpan<byte> LocalNat64 => [0x00, 0x64, 0xFF, 0x9B, 0x00, 0x01];
}
