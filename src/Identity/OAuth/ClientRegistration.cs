using System.Security.Cryptography;
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
    private const string InvalidClientMetadata = "invalid_client_metadata";

    private static readonly string[] DefaultCustomSchemes = ["cursor", "vscode", "vscode-insiders", "claude", "windsurf"];
    private static readonly string[] RegistrableScopes = [OAuthScopes.McpRead, OAuthScopes.McpWrite, OAuthScopes.Mcp, Scopes.OfflineAccess];
    private static readonly string[] AuthMethods = [ClientAuthenticationMethods.None, ClientAuthenticationMethods.ClientSecretPost, ClientAuthenticationMethods.ClientSecretBasic];

    internal static IHostApplicationBuilder AddClientRegistration(this IHostApplicationBuilder builder)
    {
        var schemes = builder.Configuration.GetSection("OAuth:Registration:AllowedCustomSchemes").Get<string[]>() ?? DefaultCustomSchemes;
        builder.Services.AddSingleton(new RedirectUriRules(schemes));
        var permitPerMinute = builder.Configuration.GetValue("OAuth:Registration:PermitPerMinute", 10);
        builder.Services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.AddPolicy(RateLimitPolicy, new RegistrationRateLimit(permitPerMinute));
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
            return TooLarge();
        }

        ReadOnlyMemory<byte>? body;
        try
        {
            body = await BoundedReads.ReadAtMostAsync(request.Body, MaxBodyBytes, request.HttpContext.RequestAborted);
        }
        catch (IOException)
        {
            // A malformed or stalled request body (Kestrel's BadHttpRequestException is one): the client's fault, not the host's.
            return Error(InvalidClientMetadata, "The request body could not be read.");
        }

        if (body is not { } bytes)
        {
            return TooLarge();
        }

        if (!ClientMetadata.TryRead(bytes, rules, out var metadata, out var problem))
        {
            return Error(problem.Member == ClientMetadata.RedirectUrisMember ? "invalid_redirect_uri" : InvalidClientMetadata, problem.Description);
        }

        var authMethod = metadata.TokenEndpointAuthMethod ?? ClientAuthenticationMethods.ClientSecretBasic;
        if (!AuthMethods.Contains(authMethod))
        {
            return Error(InvalidClientMetadata, $"token_endpoint_auth_method must be one of: {string.Join(", ", AuthMethods)}.");
        }

        if (metadata.GrantTypes?.Except([GrantTypes.AuthorizationCode, GrantTypes.RefreshToken]).Any() == true)
        {
            return Error(InvalidClientMetadata, "grant_types may only contain authorization_code and refresh_token.");
        }

        if (metadata.ResponseTypes?.Except([ResponseTypes.Code]).Any() == true)
        {
            return Error(InvalidClientMetadata, "response_types may only contain code.");
        }

        if (metadata.Scope?.Split(' ', StringSplitOptions.RemoveEmptyEntries).Except(RegistrableScopes).Any() == true)
        {
            return Error(InvalidClientMetadata, $"scope may only contain {string.Join(", ", RegistrableScopes)}.");
        }

        var clientName = metadata.ClientName;
        var redirectUris = metadata.RedirectUris;
        var secret = authMethod == ClientAuthenticationMethods.None ? null : Base64UrlSecret();
        var clientId = "pcl_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var uris = redirectUris.Select(u => new Uri(u)).ToList();
        await applications.CreateAsync(
            ClientApplications.McpClient(configuration, clientId, clientName, uris, secret),
            request.HttpContext.RequestAborted);

        var response = new Dictionary<string, object>
        {
            ["client_id"] = clientId,
            ["client_id_issued_at"] = clock.GetUtcNow().ToUnixTimeSeconds(),
            ["redirect_uris"] = redirectUris,
            ["grant_types"] = new[] { GrantTypes.AuthorizationCode, GrantTypes.RefreshToken },
            ["response_types"] = new[] { ResponseTypes.Code },
            ["token_endpoint_auth_method"] = authMethod,
            ["scope"] = $"{OAuthScopes.McpReadWrite} {Scopes.OfflineAccess}",
        };
        if (secret is not null)
        {
            response["client_secret"] = secret;
            response["client_secret_expires_at"] = 0;
        }

        if (clientName is not null)
        {
            response["client_name"] = clientName;
        }

        return Results.Json(response, statusCode: StatusCodes.Status201Created);
    }

    private static string Base64UrlSecret() => System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    // 413 rather than 400: the request is refused for its size alone, before a byte of it is parsed.
    private static IResult TooLarge() =>
        Error(InvalidClientMetadata, $"The registration request is larger than {MaxBodyBytes / 1024} KiB.", StatusCodes.Status413PayloadTooLarge);

    private static IResult Error(string error, string description, int status = StatusCodes.Status400BadRequest) =>
        Results.Json(new Dictionary<string, string> { ["error"] = error, ["error_description"] = description }, statusCode: status);
}
