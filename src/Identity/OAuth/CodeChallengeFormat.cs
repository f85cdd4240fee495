using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Perspective.Identity.OAuth;

/// <summary>
/// Refuses a code_challenge that cannot be BASE64URL(SHA-256(code_verifier)) — exactly 43 characters
/// of the base64url alphabet (RFC 7636 §4.2) — at the authorization endpoint. OpenIddict stores any
/// string, so a malformed challenge would otherwise only fail, less clearly, when the code is redeemed.
/// </summary>
internal sealed class CodeChallengeFormat : IOpenIddictServerHandler<ValidateAuthorizationRequestContext>
{
    private const int S256Length = 43;

    // After OpenIddict's own PKCE checks: a missing challenge or a method other than S256 is reported as such first.
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateAuthorizationRequestContext>()
            .UseSingletonHandler<CodeChallengeFormat>()
            .SetOrder(OpenIddictServerHandlers.Authentication.ValidateProofKeyForCodeExchangeParameters.Descriptor.Order + 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(ValidateAuthorizationRequestContext context)
    {
        var challenge = context.Request.CodeChallenge;
        if (!string.IsNullOrEmpty(challenge) && !IsS256Challenge(challenge))
        {
            context.Reject(
                Errors.InvalidRequest,
                $"The '{Parameters.CodeChallenge}' parameter must be the S256 challenge: " +
                $"{S256Length} characters of A-Z, a-z, 0-9, '-' and '_' (RFC 7636).");
        }

        return ValueTask.CompletedTask;
    }

    private static bool IsS256Challenge(string challenge) =>
        challenge.Length == S256Length && challenge.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
}
