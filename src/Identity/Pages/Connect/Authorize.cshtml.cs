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
/// the user sees which app asks and where it will send them, and picks the workspaces it may reach.
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
    private static readonly HashSet<string> OwnFields = ["consent_action", "workspaces", "__RequestVerificationToken"];

    public string ClientName { get; private set; } = "";

    public string ClientDetail { get; private set; } = "";

    public string RedirectHost { get; private set; } = "";

    public IReadOnlyList<string> Permissions { get; private set; } = [];

    public IReadOnlyList<MemberWorkspace> Workspaces { get; private set; } = [];

    public ISet<Guid> Selected { get; private set; } = new HashSet<Guid>();

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

        var chosen = Request.Form["workspaces"].Select(v => Guid.TryParse(v, out var id) ? id : Guid.Empty)
            .Where(id => Workspaces.Any(w => w.Id == id)).Distinct().ToList();
        if (chosen.Count == 0)
        {
            Error = "Choose at least one workspace this app may reach.";
            Selected = new HashSet<Guid>();
            return Page();
        }

        return await GrantAsync(request, application, user, chosen);
    }

    private async Task<IActionResult> GrantAsync(OpenIddictRequest request, object application, PlatformUser user, List<Guid> chosen)
    {
        var resources = Resources(request);
        var scopes = GrantedScopes(request, resources);
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

    // MCP clients get the mcp scope (also when they ask for none) and a refresh token; other scopes
    // pass only when the app is permitted them, which OpenIddict has already checked.
    private List<string> GrantedScopes(OpenIddictRequest request, List<string> resources)
    {
        var scopes = request.GetScopes().ToHashSet();
        if (resources.Contains(OAuthScopes.McpResource(configuration)))
        {
            scopes.Add(OAuthScopes.Mcp);
        }

        scopes.Add(Scopes.OfflineAccess);
        return [.. scopes];
    }

    private async Task DescribeAsync(OpenIddictRequest request, object application, PlatformUser user)
    {
        var clientId = request.ClientId!;
        var isMetadataDocument = ClientMetadataDocuments.IsMetadataDocumentClientId(clientId);
        ClientName = await applications.GetDisplayNameAsync(application) is { Length: > 0 } name ? name : "An unnamed app";
        ClientDetail = isMetadataDocument ? $"identified by {clientId}" : "registered with Perspective";
        RedirectHost = Uri.TryCreate(request.RedirectUri, UriKind.Absolute, out var redirect) ? redirect.Authority : "";
        var scopes = GrantedScopes(request, Resources(request));
        Permissions =
        [
            .. scopes.Contains(OAuthScopes.Mcp)
                ? ["Use Perspective's MCP tools: list your workspaces, read and create perspectives, read conversations — only in the workspaces you choose below."]
                : Array.Empty<string>(),
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
