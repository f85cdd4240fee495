using System.Net;
using Perspective.Platform.Http;

namespace Perspective.Identity.Tests;

public sealed class ClientAddressTests
{
    [Theory]
    [InlineData("203.0.113.7", "203.0.113.7")]
    [InlineData("::ffff:203.0.113.7", "203.0.113.7")]
    [InlineData("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:3::1", "2001:db8:1:3::/64")]
    [InlineData("::1", "::/64")]
    public void IPv4_counts_per_address_and_IPv6_per_64_prefix(string address, string counted) =>
        Assert.Equal(counted, ClientAddress.Of(IPAddress.Parse(address)));

    [Fact]
    public void No_address_counts_as_one_unknown_client() =>
        Assert.Equal("unknown", ClientAddress.Of((IPAddress?)null));
}
