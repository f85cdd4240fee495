using System.Net;
using System.Net.Sockets;
using CsCheck;
using Perspective.Identity.OAuth;

namespace Perspective.IntegrationTests.HostileInput;

/// <summary>The SSRF guard of client metadata document fetches: which addresses it refuses, and how it picks the one it connects to.</summary>
public sealed class NonPublicAddressTests
{
    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("0.255.255.255")]
    [InlineData("10.0.0.0")]
    [InlineData("10.255.255.255")]
    [InlineData("100.64.0.0")]
    [InlineData("100.127.255.255")]
    [InlineData("127.0.0.1")]
    [InlineData("127.255.255.254")]
    [InlineData("169.254.0.0")]
    [InlineData("169.254.169.254")]
    [InlineData("172.16.0.0")]
    [InlineData("172.31.255.255")]
    [InlineData("192.0.0.0")]
    [InlineData("192.0.0.255")]
    [InlineData("192.168.0.0")]
    [InlineData("192.168.255.255")]
    [InlineData("198.18.0.0")]
    [InlineData("198.19.255.255")]
    [InlineData("224.0.0.1")]
    [InlineData("239.255.255.255")]
    [InlineData("240.0.0.0")]
    [InlineData("255.255.255.255")]
    [InlineData("::")]
    [InlineData("::1")]
    [InlineData("::8.8.8.8")]
    [InlineData("::ffff:ffff")]
    [InlineData("::ffff:10.0.0.1")]
    [InlineData("::ffff:127.0.0.1")]
    [InlineData("::ffff:169.254.169.254")]
    [InlineData("64:ff9b::8.8.8.8")]
    [InlineData("64:ff9b::127.0.0.1")]
    [InlineData("64:ff9b:1::1")]
    [InlineData("2002:0a00:0001::1")]
    [InlineData("2002:7f00:0001::")]
    [InlineData("2002:c0a8:0101:ffff::1")]
    [InlineData("2002:a9fe:a9fe::")]
    [InlineData("fc00::1")]
    [InlineData("fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")]
    [InlineData("fe80::1")]
    [InlineData("febf:ffff::1")]
    [InlineData("fec0::1")]
    [InlineData("ff02::1")]
    [InlineData("ff0e::1")]
    public void Every_non_public_range_is_refused(string address) =>
        Assert.True(NonPublicAddresses.Contains(IPAddress.Parse(address)), address);

    [Theory]
    [InlineData("1.1.1.1")]
    [InlineData("8.8.8.8")]
    [InlineData("9.255.255.255")]
    [InlineData("11.0.0.0")]
    [InlineData("100.63.255.255")]
    [InlineData("100.128.0.0")]
    [InlineData("126.255.255.255")]
    [InlineData("128.0.0.0")]
    [InlineData("169.253.255.255")]
    [InlineData("169.255.0.0")]
    [InlineData("172.15.255.255")]
    [InlineData("172.32.0.0")]
    [InlineData("192.0.1.0")]
    [InlineData("192.167.255.255")]
    [InlineData("192.169.0.0")]
    [InlineData("198.17.255.255")]
    [InlineData("198.20.0.0")]
    [InlineData("223.255.255.255")]
    [InlineData("::ffff:8.8.8.8")]
    [InlineData("2002:0808:0808::1")]
    [InlineData("2606:4700::6810:85e5")]
    [InlineData("2001:4860:4860::8888")]
    [InlineData("64:ff9a:ffff:ffff:ffff:ffff:ffff:ffff")]
    [InlineData("fbff:ffff::1")]
    public void Public_addresses_next_to_them_are_not(string address) =>
        Assert.False(NonPublicAddresses.Contains(IPAddress.Parse(address)), address);

    [Fact]
    public void Random_ipv4_addresses_are_classified_as_the_range_list_says() =>
        Gen.OneOf(Gen.UInt, Reference.InV4Ranges).Sample(bits =>
        {
            var address = new IPAddress(Reference.Bytes(bits)[12..]);
            Assert.True(Reference.IsNonPublic(address) == NonPublicAddresses.Contains(address), address.ToString());
        }, iter: 20_000);

    [Fact]
    public void Random_ipv6_addresses_are_classified_as_the_range_list_says() =>
        Gen.OneOf(Gen.UInt128, Reference.InV6Ranges, Reference.MappedOrEmbeddingV4).Sample(bits =>
        {
            var address = new IPAddress(Reference.Bytes(bits));
            Assert.True(Reference.IsNonPublic(address) == NonPublicAddresses.Contains(address), address.ToString());
        }, iter: 20_000);

    [Fact]
    public void A_host_is_refused_unless_every_address_it_resolves_to_is_public_and_not_this_hosts_own()
    {
        var publicAddress = IPAddress.Parse("93.184.216.34");
        var otherPublic = IPAddress.Parse("2606:2800:220:1::1");
        HashSet<IPAddress> none = [];

        Assert.Null(PublicAddressGuard.Refusal([publicAddress, otherPublic], none));
        Assert.NotNull(PublicAddressGuard.Refusal([], none));
        Assert.NotNull(PublicAddressGuard.Refusal([publicAddress, IPAddress.Parse("10.0.0.7")], none));
        Assert.NotNull(PublicAddressGuard.Refusal([IPAddress.Parse("::ffff:127.0.0.1")], none));
        Assert.Contains("own", PublicAddressGuard.Refusal([otherPublic, publicAddress], new HashSet<IPAddress> { publicAddress }));
        Assert.Contains("own", PublicAddressGuard.Refusal([publicAddress.MapToIPv6()], new HashSet<IPAddress> { publicAddress }));
    }

    /// <summary>
    /// An independent statement of the ranges, written as CIDR text and matched bit by bit, to check the
    /// product's byte-pattern classifier against: IPv4-mapped addresses are judged by their IPv4 address,
    /// 6to4 (2002::/16) by the IPv4 address it embeds.
    /// </summary>
    private static class Reference
    {
        private static readonly (UInt128 Network, int Length)[] V4 = Parse(
            "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24",
            "192.168.0.0/16", "198.18.0.0/15", "224.0.0.0/4", "240.0.0.0/4", "255.255.255.255/32");

        private static readonly (UInt128 Network, int Length)[] V6 = Parse(
            "::/96", "64:ff9b::/96", "64:ff9b:1::/48", "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8");

        public static Gen<uint> InV4Ranges { get; } = Gen.Int[0, V4.Length - 1].Select(Gen.UInt, (i, host) => (uint)Within(V4[i], host, 32));

        public static Gen<UInt128> InV6Ranges { get; } = Gen.Int[0, V6.Length - 1].Select(Gen.UInt128, (i, host) => Within(V6[i], host, 128));

        /// <summary>::ffff:a.b.c.d and 2002:aabb:ccdd::/48, around private and public IPv4 addresses alike.</summary>
        public static Gen<UInt128> MappedOrEmbeddingV4 { get; } = Gen.Select(Gen.Bool, Gen.OneOf(Gen.UInt, InV4Ranges), Gen.ULong, (mapped, v4, low) =>
            mapped ? ((UInt128)0xFFFF << 32) | v4 : ((UInt128)0x2002 << 112) | ((UInt128)v4 << 80) | low);

        public static bool IsNonPublic(IPAddress address)
        {
            var bits = Bits(address.GetAddressBytes());
            if (address.AddressFamily == AddressFamily.InterNetwork)
            {
                return V4.Any(range => Matches(bits, range, 32));
            }

            if (bits >> 32 == 0xFFFF)
            {
                return V4.Any(range => Matches(bits & uint.MaxValue, range, 32));
            }

            if (bits >> 112 == 0x2002)
            {
                return V4.Any(range => Matches((bits >> 80) & uint.MaxValue, range, 32));
            }

            return V6.Any(range => Matches(bits, range, 128));
        }

        public static byte[] Bytes(UInt128 bits)
        {
            var bytes = new byte[16];
            for (var i = 15; i >= 0; i--, bits >>= 8)
            {
                bytes[i] = (byte)bits;
            }

            return bytes;
        }

        private static bool Matches(UInt128 bits, (UInt128 Network, int Length) range, int width) =>
            range.Length == 0 || (bits ^ range.Network) >> (width - range.Length) == 0;

        private static UInt128 Within((UInt128 Network, int Length) range, UInt128 host, int width) =>
            range.Length == width ? range.Network : range.Network | (host & ((UInt128.One << (width - range.Length)) - 1));

        private static (UInt128, int)[] Parse(params string[] cidrs) => cidrs.Select(cidr =>
        {
            var parts = cidr.Split('/');
            return (Bits(IPAddress.Parse(parts[0]).GetAddressBytes()), int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
        }).ToArray();

        private static UInt128 Bits(byte[] bytes) => bytes.Aggregate(UInt128.Zero, (bits, b) => (bits << 8) | b);
    }
}
