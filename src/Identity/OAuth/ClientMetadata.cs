using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Unicode;
using Perspective.Platform.Text;

namespace Perspective.Identity.OAuth;

/// <summary>Why client metadata was refused; <see cref="Member"/> names the offending member, null for the body as a whole.</summary>
internal sealed record MetadataProblem(string? Member, string Description);

/// <summary>
/// Client metadata (RFC 7591 §2) as a registration request or a client ID metadata document states it,
/// read strictly: whatever the bytes are, the outcome is metadata or a problem to answer with, never an
/// exception. A known member of the wrong JSON type is refused rather than ignored (a client that sends
/// <c>"grant_types":"password"</c> must not be registered as if it had sent none); <c>null</c> counts as absent.
/// The checks every MCP client must pass are made here: 1 to 10 acceptable redirect URIs and a displayable name.
/// </summary>
internal sealed class ClientMetadata
{
    public const string RedirectUrisMember = "redirect_uris";
    public const int MaxRedirectUris = 10;
    public const int MaxClientNameLength = 200;

    // Duplicates are refused: two parsers (or two readers of one document) must not disagree on which member counts.
    private static readonly JsonDocumentOptions Strict = new() { AllowDuplicateProperties = false };

    private ClientMetadata(IReadOnlyList<string> redirectUris) => RedirectUris = redirectUris;

    public IReadOnlyList<string> RedirectUris { get; }

    public string? ClientId { get; private init; }

    /// <summary>The name to show, trimmed; null when none was given.</summary>
    public string? ClientName { get; private init; }

    public string? TokenEndpointAuthMethod { get; private init; }

    public IReadOnlyList<string>? GrantTypes { get; private init; }

    public IReadOnlyList<string>? ResponseTypes { get; private init; }

    public string? Scope { get; private init; }

    public static bool TryRead(
        ReadOnlyMemory<byte> utf8, RedirectUriRules rules,
        [NotNullWhen(true)] out ClientMetadata? metadata, [NotNullWhen(false)] out MetadataProblem? problem)
    {
        metadata = null;
        if (!Utf8.IsValid(utf8.Span))
        {
            problem = new MetadataProblem(null, "The metadata is not valid UTF-8.");
            return false;
        }

        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(utf8, Strict);
            root = document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            problem = new MetadataProblem(null,
                $"The metadata is not JSON without repeated members (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}).");
            return false;
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            problem = new MetadataProblem(null, "The metadata must be a JSON object of client metadata (RFC 7591).");
            return false;
        }

        var members = new Members(root);
        var redirectUris = members.Strings(RedirectUrisMember);
        var clientName = members.String("client_name");
        var read = new ClientMetadata(redirectUris ?? [])
        {
            ClientId = members.String("client_id"),
            TokenEndpointAuthMethod = members.String("token_endpoint_auth_method"),
            GrantTypes = members.Strings("grant_types"),
            ResponseTypes = members.Strings("response_types"),
            Scope = members.String("scope"),
            ClientName = string.IsNullOrWhiteSpace(clientName) ? null : clientName.Trim(),
        };
        problem = members.Problem ?? RedirectUriProblem(redirectUris, rules) ?? NameProblem(clientName);
        metadata = problem is null ? read : null;
        return problem is null;
    }

    private static MetadataProblem? RedirectUriProblem(List<string>? redirectUris, RedirectUriRules rules)
    {
        if (redirectUris is not { Count: > 0 and <= MaxRedirectUris })
        {
            return new MetadataProblem(RedirectUrisMember, $"{RedirectUrisMember} must list 1 to {MaxRedirectUris} redirect URIs.");
        }

        return redirectUris.Select(rules.Problem).FirstOrDefault(p => p is not null) is { } problem
            ? new MetadataProblem(RedirectUrisMember, problem)
            : null;
    }

    private static MetadataProblem? NameProblem(string? clientName) =>
        clientName is not null && DisplayNameRules.Problem("client_name", clientName, MaxClientNameLength) is { } problem
            ? new MetadataProblem("client_name", problem)
            : null;

    /// <summary>Reads members of one object, keeping the first problem met.</summary>
    private sealed class Members(JsonElement root)
    {
        public MetadataProblem? Problem { get; private set; }

        public string? String(string name) =>
            Present(name) is not { } value ? null
            : value.ValueKind == JsonValueKind.String && TryText(value, out var text) ? text
            : Fail<string>(name, $"{name} must be a string of valid Unicode text.");

        public List<string>? Strings(string name)
        {
            if (Present(name) is not { } value)
            {
                return null;
            }

            if (value.ValueKind != JsonValueKind.Array)
            {
                return Fail<List<string>>(name, $"{name} must be an array of strings of valid Unicode text.");
            }

            var strings = new List<string>();
            foreach (var item in value.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.String || !TryText(item, out var text))
                {
                    return Fail<List<string>>(name, $"{name} must be an array of strings of valid Unicode text.");
                }

                strings.Add(text);
            }

            return strings;
        }

        private JsonElement? Present(string name) =>
            Problem is null && root.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

        private T? Fail<T>(string name, string description)
            where T : class
        {
            Problem = new MetadataProblem(name, description);
            return null;
        }

        // The bytes are valid UTF-8 by now, but an escape may still encode an unpaired surrogate (\ud800), which GetString refuses.
        private static bool TryText(JsonElement value, out string text)
        {
            try
            {
                text = value.GetString()!;
                return true;
            }
            catch (InvalidOperationException)
            {
                text = "";
                return false;
            }
        }
    }
}
