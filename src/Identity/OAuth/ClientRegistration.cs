using System.Security.Cryptography;
using System.Text.Json;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Perspective.Identity.OAuth;

/// <summary>
/// Dynamic Client Registration (RFC 7591) for MCP clients. OpenIddict has none built in, so this
/// validates the client metadata and creates the application with OpenIddict's manager.
/// </summary>
public static class ClientRegistration
{
    public const string Path = "/connect/register";
    public const string RateLimitPolicy = "client-registration";
    private const int MaxBodyBytes = 16 * 1024;

    private static readonly string[] DefaultCustomSchemes = ["cursor", "vscode", "vscode-insiders", "claude", "windsurf"];
    private static readonly string[] AuthMethods = [ClientAuthenticationMethods.None, ClientAuthenticationMethods.ClientSecretPost, ClientAuthenticationMethods.ClientSecretBasic];

    internal static IHostApplicationBuilder AddClientRegistration(this IHostApplicationBuilder builder)
    {
        var schemes = builder.Configuration.GetSection("OAuth:Registration:AllowedCustomSchemes").Get<string[]>() ?? DefaultCustomSchemes;
        builder.Services.AddSingleton(new RedirectUriRules(schemes));
        var permitPerMinute = builder.Configuration.GetValue("OAuth:Registration:PermitPerMinute", 10);
        builder.Services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.AddPolicy(RateLimitPolicy, http => RateLimitPartition.GetFixedWindowLimiter(
                http.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = permitPerMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
        });
        return builder;
    }

    internal static IEndpointRouteBuilder MapClientRegistration(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(Path, RegisterAsync).RequireRateLimiting(RateLimitPolicy).AllowAnonymous();
        return endpoints;
    }

    private static async Task<IResult> RegisterAsync(
        HttpRequest request, IOpenIddictApplicationManager applications, RedirectUriRules rules, IConfiguration configuration, TimeProvider clock)
    {
        if (request.ContentLength > MaxBodyBytes)
        {
            return Error("invalid_client_metadata", $"The registration request is larger than {MaxBodyBytes / 1024} KiB.");
        }

        JsonElement metadata;
        try
        {
            using var limited = new MemoryStream();
            await request.Body.CopyToAsync(limited, request.HttpContext.RequestAborted);
            if (limited.Length > MaxBodyBytes)
            {
                return Error("invalid_client_metadata", $"The registration request is larger than {MaxBodyBytes / 1024} KiB.");
            }

            metadata = JsonDocument.Parse(limited.ToArray()).RootElement.Clone();
        }
        catch (JsonException)
        {
            return Error("invalid_client_metadata", "The body must be a JSON object of client metadata (RFC 7591).");
        }

        if (metadata.ValueKind != JsonValueKind.Object)
        {
            return Error("invalid_client_metadata", "The body must be a JSON object of client metadata (RFC 7591).");
        }

        if (!TryStrings(metadata, "redirect_uris", out var redirectUris) || redirectUris.Count is 0 or > 10)
        {
            return Error("invalid_redirect_uri", "redirect_uris must list 1 to 10 redirect URIs.");
        }

        if (redirectUris.Select(rules.Problem).FirstOrDefault(p => p is not null) is { } problem)
        {
            return Error("invalid_redirect_uri", problem);
        }

        var authMethod = OptionalString(metadata, "token_endpoint_auth_method") ?? ClientAuthenticationMethods.ClientSecretBasic;
        if (!AuthMethods.Contains(authMethod))
        {
            return Error("invalid_client_metadata", $"token_endpoint_auth_method must be one of: {string.Join(", ", AuthMethods)}.");
        }

        if (TryStrings(metadata, "grant_types", out var grantTypes) &&
            grantTypes.Except([GrantTypes.AuthorizationCode, GrantTypes.RefreshToken]).Any())
        {
            return Error("invalid_client_metadata", "grant_types may only contain authorization_code and refresh_token.");
        }

        if (TryStrings(metadata, "response_types", out var responseTypes) && responseTypes.Except([ResponseTypes.Code]).Any())
        {
            return Error("invalid_client_metadata", "response_types may only contain code.");
        }

        var scope = OptionalString(metadata, "scope");
        if (scope is not null && scope.Split(' ', StringSplitOptions.RemoveEmptyEntries).Except([OAuthScopes.Mcp, Scopes.OfflineAccess]).Any())
        {
            return Error("invalid_client_metadata", $"scope may only contain {OAuthScopes.Mcp} and {Scopes.OfflineAccess}.");
        }

        var clientName = OptionalString(metadata, "client_name")?.Trim();
        if (clientName is { Length: > 200 } || clientName?.Any(char.IsControl) == true)
        {
            return Error("invalid_client_metadata", "client_name must be at most 200 characters on one line.");
        }

        var secret = authMethod == ClientAuthenticationMethods.None ? null : Base64UrlSecret();
        var clientId = "pcl_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var uris = redirectUris.Select(u => new Uri(u)).ToList();
        await applications.CreateAsync(
            ClientApplications.McpClient(configuration, clientId, string.IsNullOrEmpty(clientName) ? null : clientName, uris, secret),
            request.HttpContext.RequestAborted);

        var response = new Dictionary<string, object>
        {
            ["client_id"] = clientId,
            ["client_id_issued_at"] = clock.GetUtcNow().ToUnixTimeSeconds(),
            ["redirect_uris"] = redirectUris,
            ["grant_types"] = new[] { GrantTypes.AuthorizationCode, GrantTypes.RefreshToken },
            ["response_types"] = new[] { ResponseTypes.Code },
            ["token_endpoint_auth_method"] = authMethod,
            ["scope"] = $"{OAuthScopes.Mcp} {Scopes.OfflineAccess}",
        };
        if (secret is not null)
        {
            response["client_secret"] = secret;
            response["client_secret_expires_at"] = 0;
        }

        if (!string.IsNullOrEmpty(clientName))
        {
            response["client_name"] = clientName;
        }

        return Results.Json(response, statusCode: StatusCodes.Status201Created);
    }

    private static string Base64UrlSecret() => System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    private static string? OptionalString(JsonElement metadata, string name) =>
        metadata.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static bool TryStrings(JsonElement metadata, string name, out List<string> values)
    {
        values = [];
        if (!metadata.TryGetProperty(name, out var array) || array.ValueKind != JsonValueKind.Array)
        {
            return false;
        }

        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String)
            {
                return false;
            }

            values.Add(item.GetString()!);
        }

        return true;
    }

    private static IResult Error(string error, string description) =>
        Results.Json(new Dictionary<string, string> { ["error"] = error, ["error_description"] = description }, statusCode: StatusCodes.Status400BadRequest);
}
