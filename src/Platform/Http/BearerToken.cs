using Microsoft.AspNetCore.Http;

namespace Perspective.Platform.Http;

/// <summary>Reads <c>Authorization: Bearer &lt;token&gt;</c> (RFC 6750), the only way bearer credentials (MCP keys, legacy tokens, access tokens) are accepted.</summary>
public static class BearerToken
{
    /// <summary>True when the request carries an Authorization header at all.</summary>
    public static bool IsPresent(HttpRequest request) => request.Headers.Authorization.Count > 0;

    public static bool TryRead(HttpRequest request, out string token)
    {
        token = "";
        var header = request.Headers.Authorization;
        if (header.Count != 1 || header[0] is not { } value ||
            !value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        token = value["Bearer ".Length..].Trim();
        return token.Length > 0;
    }
}
