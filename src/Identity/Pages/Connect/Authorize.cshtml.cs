using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using Perspective.Identity.Accounts;
using Perspective.Identity.OAuth;
using Perspective.Identity.Workspaces;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Perspective.Identity.Pages.Connect;

/// <summary>
/// The authorization endpoint (after OpenIddict validated the request) and its consent page:
/// the user sees which app asks and where it will send them, and picks the workspaces it may reach
/// and, when the app asked to write, whether it may only read or also write.
/// </summary>
public sealed class AuthorizeModel(
    UserManager<PlatformUser> users,
    IOpenIddictApplicationManager applications,
    ConsentedGrants grants,
    WorkspaceDirectory workspaces,
    IOptions<GrantLifetimes> lifetimes,
    IConfiguration configuration) : PageModel
{
    private const string Scheme = OpenIddictServerAspNetCoreDefaults.AuthenticationScheme;

    /// <summary>The fields this page adds to the authorization request it posts back to itself.</summary>
    private static readonly HashSet<string> OwnFields = ["consent_action", "workspaces", AccessField, "__RequestVerificationToken"];

    /// <summary>The consent form's choice of access, offered when the app asked to write.</summary>
    public const string AccessField = "access";

    /// <summary>The <see cref="AccessField"/> value for reading only.</summary>
    public const string ReadOnly = "read";

    /// <summary>The <see cref="AccessField"/> value for reading and writing.</summary>
    public const string ReadWrite = "read_write";

    public string ClientName { get; private set; } = "";

    public string ClientDetail { get; private set; } = "";

    public string RedirectHost { get; private set; } = "";

    public IReadOnlyList<string> Permissions { get; private set; } = [];

    public IReadOnlyList<MemberWorkspace> Workspaces { get; private set; } = [];

    public ISet<Guid> Selected { get; private set; } = new HashSet<Guid>();

    /// <summary>True when the app asked for MCP access at all (it is for the MCP resource).</summary>
    public bool McpRequested { get; private set; }

    /// <summary>True when the app asked to write (<c>mcp:write</c>, the legacy <c>mcp</c>, or no MCP scope): the user chooses.</summary>
    public bool WriteRequested { get; private set; }

    /// <summary>The access the page shows chosen: what the app asked for, or what the user picked before an error.</summary>
    public bool WriteChosen { get; private set; }

    public IReadOnlyList<KeyValuePair<string, string>> RequestFields { get; private set; } = [];

    public string? Error { get; private set; }

    public Task<IActionResult> OnGetAsync() => HandleAsync(consentAction: null);

    public Task<IActionResult> OnPostAsync([FromForm(Name = "consent_action")] string? consentAction) => HandleAsync(consentAction);

    private async Task<IActionResult> HandleAsync(string? consentAction)
    {
        var request = HttpContext.GetOpenIddictServerRequest();
        if (request is null)
        {
            return BadRequest("This address is for OAuth authorization requests from MCP clients.");
        }

        var session = await HttpContext.AuthenticateAsync(IdentityConstants.ApplicationScheme);
        var user = session.Succeeded ? await users.GetUserAsync(session.Principal) : null;
        if (user is null || request.HasPromptValue(PromptValues.Login))
        {
            if (request.HasPromptValue(PromptValues.None))
            {
                return Refuse(Errors.LoginRequired, "The user is not signed in.");
            }

            // prompt=login asks for a fresh sign-in: end the current one and come back without the prompt.
            await HttpContext.SignOutAsync(IdentityConstants.ApplicationScheme);
            return Challenge(new AuthenticationProperties { RedirectUri = ReturnUrl(request, dropPrompt: true) }, IdentityConstants.ApplicationScheme);
        }

        if (consentAction is null && request.HasPromptValue(PromptValues.None))
        {
            return Refuse(Errors.ConsentRequired, "The user has not chosen the workspaces for this app yet.");
        }

        var application = await applications.FindByClientIdAsync(request.ClientId!)
            ?? throw new InvalidOperationException("OpenIddict validated a client that does not exist.");
        await DescribeAsync(request, application, user);

        if (consentAction == "deny")
        {
            return Refuse(Errors.AccessDenied, "The user denied access.");
        }

        if (consentAction != "allow")
        {
            return Page();
        }

        // Never more than the app asked for: a read-only request ignores the field whatever it says.
        var write = false;
        if (WriteRequested)
        {
            var access = Request.Form[AccessField];
            if (access.Count != 1 || access[0] is not (ReadOnly or ReadWrite))
            {
                Error = "Choose whether this app may only read or may also write.";
                return Page();
            }

            write = WriteChosen = access[0] == ReadWrite;
        }

        var chosen = Request.Form["workspaces"].Select(v => Guid.TryParse(v, out var id) ? id : Guid.Empty)
            .Where(id => Workspaces.Any(w => w.Id == id)).Distinct().ToList();
        if (chosen.Count == 0)
        {
            Error = "Choose at least one workspace this app may reach.";
            Selected = new HashSet<Guid>();
            return Page();
        }

        return await GrantAsync(request, application, user, chosen, write);
    }

    private async Task<IActionResult> GrantAsync(OpenIddictRequest request, object application, PlatformUser user, List<Guid> chosen, bool write)
    {
        var resources = Resources(request);
        var scopes = GrantedScopes(request, resources, write);
        var identity = GrantClaims.ForUser(user.Id, authorizationId: "", scopes, resources);

        // One grant per app and user: consenting again updates it (see ConsentedGrants).
        var authorizationId = await grants.SaveAsync(
            (await applications.GetIdAsync(application))!, user.Id, new System.Security.Claims.ClaimsPrincipal(identity), scopes, chosen, HttpContext.RequestAborted);

        identity = GrantClaims.ForUser(user.Id, authorizationId, scopes, resources);
        return SignIn(new System.Security.Claims.ClaimsPrincipal(identity), Scheme);
    }

    // Without a resource indicator the request is for the MCP endpoint (older MCP clients send none).
    private List<string> Resources(OpenIddictRequest request) =>
        request.GetResources().DefaultIfEmpty(OAuthScopes.McpResource(configuration)).ToList();

    // MCP clients get mcp:read, and mcp:write when the user allowed writing (also when they asked for no
    // MCP scope), and a refresh token; other scopes pass only when the app is permitted them, which
    // OpenIddict has already checked (unknown ones were dropped from the request: UnknownScopes).
    private List<string> GrantedScopes(OpenIddictRequest request, List<string> resources, bool write)
    {
        var scopes = request.GetScopes().Where(s => !OAuthScopes.IsMcp(s)).ToHashSet();
        if (resources.Contains(OAuthScopes.McpResource(configuration)))
        {
            scopes.UnionWith(OAuthScopes.McpGranted(write));
        }

        scopes.Add(Scopes.OfflineAccess);
        return [.. scopes];
    }

    // Asking for no MCP scope asks for what the mcp scope always gave: reading and writing.
    private static bool AsksToWrite(OpenIddictRequest request) =>
        OAuthScopes.MayWriteMcp(request.GetScopes()) || !OAuthScopes.MayReadMcp(request.GetScopes());

    private async Task DescribeAsync(OpenIddictRequest request, object application, PlatformUser user)
    {
        var clientId = request.ClientId!;
        var isMetadataDocument = ClientMetadataDocuments.IsMetadataDocumentClientId(clientId);
        ClientName = await applications.GetDisplayNameAsync(application) is { Length: > 0 } name ? name : "An unnamed app";
        ClientDetail = isMetadataDocument ? $"identified by {clientId}" : "registered with Perspective";
        RedirectHost = Uri.TryCreate(request.RedirectUri, UriKind.Absolute, out var redirect) ? redirect.Authority : "";
        McpRequested = Resources(request).Contains(OAuthScopes.McpResource(configuration));
        WriteRequested = McpRequested && AsksToWrite(request);
        WriteChosen = WriteRequested;
        var scopes = request.GetScopes();
        Permissions =
        [
            .. !McpRequested ? Array.Empty<string>()
                : WriteRequested ? ["Use Perspective's MCP tools with the access you choose below — only in the workspaces you choose below."]
                : ["Read only: list your workspaces and read perspectives and conversations through Perspective's MCP tools — only in the workspaces you choose below. It asked for no access to create or change anything."],
            .. scopes.Contains(OAuthScopes.Management) ? ["Manage your MCP keys and connected apps."] : Array.Empty<string>(),
            StayConnected(),
        ];
        Workspaces = await workspaces.ListForMemberAsync(user.Id, after: null, limit: 500, HttpContext.RequestAborted);
        Selected = Workspaces.Select(w => w.Id).ToHashSet();
        RequestFields = request.GetParameters()
            .Where(p => !OwnFields.Contains(p.Key))
            .Select(p => new KeyValuePair<string, string>(p.Key, p.Value.ToString() ?? ""))
            .ToList();
    }

    private string StayConnected()
    {
        var limits = lifetimes.Value;
        return $"Stay connected until you disconnect it under Settings → Connected Apps, for at most {Days(limits.RefreshTokenAbsoluteLifetime)}; " +
               $"the connection lapses if the app goes unused for {Days(limits.RefreshTokenSlidingLifetime)}.";
    }

    private static string Days(TimeSpan span) => span.TotalDays >= 1 && span.TotalDays == Math.Floor(span.TotalDays)
        ? (span.TotalDays == 1 ? "1 day" : $"{span.TotalDays:0} days")
        : span.ToString("c", System.Globalization.CultureInfo.InvariantCulture);

    private string ReturnUrl(OpenIddictRequest request, bool dropPrompt)
    {
        var parameters = request.GetParameters()
            .Where(p => !OwnFields.Contains(p.Key) && !(dropPrompt && p.Key == Parameters.Prompt))
            .Select(p => new KeyValuePair<string, string?>(p.Key, p.Value.ToString()));
        return Request.PathBase + Request.Path + Microsoft.AspNetCore.Http.QueryString.Create(parameters);
    }

    private ForbidResult Refuse(string error, string description) => Forbid(
        new AuthenticationProperties(new Dictionary<string, string?>
        {
            [OpenIddictServerAspNetCoreConstants.Properties.Error] = error,
            [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = description,
        }),
        Scheme);
}
