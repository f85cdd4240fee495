using System.Net.Http.Headers;
using Perspective.Platform.Text;

namespace Perspective.McpHost.Mcp;

/// <summary>
/// The MCP client behind a request, as a user sees it beside a credential's last use and in its
/// activity: the client's name and the network address it called from. The name is the one the client
/// declared in its <c>initialize</c> request (<c>clientInfo.name</c>, kept by <see cref="McpRequestBody"/>),
/// else the product of its <c>User-Agent</c> ("node" for "node/20.1"). Both are untrusted text, so they
/// are cut to one short line of visible characters before anyone stores or shows them.
/// </summary>
public static class McpRequestClient
{
    public const int NameMaxLength = 64;

    private static readonly object DeclaredNameKey = new();

    /// <summary>The client's name, or an empty string when it gave none.</summary>
    public static string Name(HttpContext context) =>
        context.Items[DeclaredNameKey] as string ?? Clean(UserAgentProduct(context.Request.Headers.UserAgent.ToString()));

    /// <summary>The address the request came from (the proxy's forwarded client address when one is configured).</summary>
    public static string Address(HttpContext context) => context.Connection.RemoteIpAddress switch
    {
        null => "",
        { IsIPv4MappedToIPv6: true } mapped => mapped.MapToIPv4().ToString(),
        var address => address.ToString(),
    };

    /// <summary>Keeps the name an <c>initialize</c> request declared for the rest of the request.</summary>
    public static void Declare(HttpContext context, string clientInfoName) => context.Items[DeclaredNameKey] = Clean(clientInfoName);

    private static string UserAgentProduct(string userAgent)
    {
        var first = userAgent.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "";
        return ProductInfoHeaderValue.TryParse(first, out var product) && product.Product is { } name ? name.Name : "";
    }

    private static string Clean(string value) => DisplayNameRules.Visible(value, NameMaxLength);
}
