using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace Perspective.Platform.Hosting;

/// <summary>
/// Checks <c>Platform:PublicBaseUrl</c>, the one origin every absolute URL the platform hands out is
/// built from (OAuth discovery, redirects, the MCP endpoint), before anything else reads it.
/// </summary>
public static class PublicBaseUrlSetting
{
    public const string Key = "Platform:PublicBaseUrl";

    /// <summary>Throws <see cref="InvalidSettingException"/> when the host must not start with the configured origin.</summary>
    public static void Validate(IConfiguration configuration, IHostEnvironment environment)
    {
        var configured = configuration[Key];
        if (string.IsNullOrWhiteSpace(configured))
        {
            // Unset, the origin is the Http endpoint: fine for a local run, not for a deployment people reach by name.
            var derived = PlatformUrls.PublicBaseUrl(configuration);
            if (!environment.IsDevelopment() && !(Uri.TryCreate(derived, UriKind.Absolute, out var endpoint) && IsLoopback(endpoint.Host)))
            {
                throw new InvalidSettingException(Key,
                    "is required outside Development: set it to the https origin users and MCP clients reach, e.g. https://perspective.example.com.");
            }

            return;
        }

        if (!Uri.TryCreate(configured, UriKind.Absolute, out var origin) ||
            (origin.Scheme != Uri.UriSchemeHttps && origin.Scheme != Uri.UriSchemeHttp))
        {
            throw new InvalidSettingException(Key, $"must be an absolute http(s) URL such as https://perspective.example.com; it is '{configured}'.");
        }

        if (origin.UserInfo.Length > 0 || origin.AbsolutePath != "/" || origin.Query.Length > 0 || origin.Fragment.Length > 0)
        {
            throw new InvalidSettingException(Key,
                $"must be an origin only (scheme, host and optional port), without a path, query or user name; it is '{configured}'.");
        }

        if (origin.Scheme == Uri.UriSchemeHttp && !environment.IsDevelopment() && !IsLoopback(origin.Host))
        {
            throw new InvalidSettingException(Key,
                $"must be https outside Development (plain http is allowed only for localhost); it is '{configured}'.");
        }
    }

    /// <summary>
    /// True when browsers reach the platform over https outside Development: then cookies are
    /// <c>Secure</c> and <c>__Host-</c> prefixed and responses carry HSTS.
    /// </summary>
    public static bool IsSecureDeployment(IConfiguration configuration, IHostEnvironment environment) =>
        !environment.IsDevelopment() && new Uri(PlatformUrls.PublicBaseUrl(configuration)).Scheme == Uri.UriSchemeHttps;

    public static bool IsLoopback(string host)
    {
        var name = host.Trim('[', ']');
        return name.Equals("localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(name, out var address) && IPAddress.IsLoopback(address));
    }
}
