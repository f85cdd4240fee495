using Grpc.Core;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OpenIddict.Server;
using Perspective.Identity.Access;
using Perspective.Identity.Accounts;
using Perspective.Identity.ConnectedApps;
using OpenIddict.Abstractions;
using Perspective.Identity.KeyProtection;
using Perspective.Identity.OAuth;
using Perspective.Identity.Pages;
using Perspective.Identity.Seeding;
using Perspective.Identity.Storage;
using Perspective.Identity.Storage.Postgres;
using Perspective.Identity.Workspaces;
using Perspective.Platform.Grpc;
using Perspective.Platform.Hosting;
using Perspective.Platform.Http;
using Perspective.Platform.Storage;

namespace Perspective.Identity;

/// <summary>Accounts, workspaces, memberships, the sign-in pages and <c>AccountService</c>.</summary>
public static class IdentityModule
{
    /// <summary>What a gRPC caller without a sign-in is told; MCP credentials end up here too.</summary>
    public const string SignInRequired =
        "Sign in first: this call needs the session of a signed-in user. MCP keys and legacy tokens only work with the MCP endpoint.";

    /// <summary>What a gRPC caller whose sign-in has ended is told (the settings UI shows it).</summary>
    public const string SessionEnded =
        "Your sign-in has ended: you signed out, your password was changed or your account was locked. Reload the page to sign in again.";

    public static IHostApplicationBuilder AddIdentityModule(this IHostApplicationBuilder builder)
    {
        // First: a host that cannot encrypt the keys it stores refuses to start before it creates anything.
        var keyEncryption = builder.AddKeyEncryption();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<PlatformMetrics>();
        builder.AddPlatformDbContext<IdentityDataContext, PostgresIdentityDataContext>(
            IdentityDataContext.MigrationsHistoryTable, IdentityDataContext.MigrationOrder);

        builder.Services
            .AddIdentity<PlatformUser, IdentityRole>(options =>
            {
                options.User.RequireUniqueEmail = true;
                options.Password.RequiredLength = 12;
                options.Lockout.AllowedForNewUsers = true;
                options.Lockout.MaxFailedAccessAttempts = 5;
                options.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(5);
            })
            .AddEntityFrameworkStores<IdentityDataContext>()
            .AddUserManager<PlatformUserManager>()
            .AddDefaultTokenProviders();

        // Every request with a sign-in cookie checks its security stamp (one indexed read), so a
        // sign-out, password change or lockout ends every session of the user on its next request.
        builder.Services.Replace(ServiceDescriptor.Scoped<ISecurityStampValidator, SessionValidator>());
        builder.AddFailureThrottle<FailedSignInThrottle, FailedSignInOptions>(FailedSignInOptions.Section);

        // Deployed over https, cookies are Secure and __Host- prefixed (no Domain, Path=/): a sibling
        // subdomain or a plain-http page can neither read nor plant them.
        var secureCookies = PublicBaseUrlSetting.IsSecureDeployment(builder.Configuration, builder.Environment);
        var cookiePrefix = secureCookies ? "__Host-" : "";
        var cookieSecurity = secureCookies ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
        builder.Services.ConfigureApplicationCookie(options =>
        {
            options.LoginPath = "/account/login";
            options.LogoutPath = "/account/logout";
            options.Cookie.Name = cookiePrefix + "perspective.session";
            options.Cookie.SameSite = SameSiteMode.Lax;
            options.Cookie.HttpOnly = true;
            options.Cookie.SecurePolicy = cookieSecurity;
            options.Events.OnRedirectToLogin = GrpcStatusForGrpcCalls(StatusCode.Unauthenticated,
                context => SessionValidator.Ended(context) ? SessionEnded : SignInRequired, options.Events.OnRedirectToLogin);
            options.Events.OnRedirectToAccessDenied = GrpcStatusForGrpcCalls(StatusCode.PermissionDenied,
                _ => "Your account is not allowed to make this call.", options.Events.OnRedirectToAccessDenied);
        });

        builder.Services.AddAntiforgery(options =>
        {
            options.Cookie.Name = cookiePrefix + "perspective.antiforgery";
            options.Cookie.SecurePolicy = cookieSecurity;
        });
        builder.Services.PostConfigureAll<CookieAuthenticationOptions>(options => options.Cookie.SecurePolicy = cookieSecurity);

        // The key ring lives in the database, so cookies survive restarts and work on every host.
        builder.Services.AddDataProtection()
            .SetApplicationName("Perspective.Platform")
            .PersistKeysToDbContext<IdentityDataContext>()
            .ProtectKeysWith(keyEncryption);

        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(PlatformPolicies.BrowserSession, policy => policy
                .AddAuthenticationSchemes(IdentityConstants.ApplicationScheme)
                .RequireAuthenticatedUser())
            .AddPolicy(PlatformPolicies.SignedInUser, policy => policy
                .AddAuthenticationSchemes(IdentityConstants.ApplicationScheme, OAuthBearerAuthenticationHandler.ManagementScheme)
                .RequireAuthenticatedUser()
                // A token must be a user's grant (client-credentials clients are not users) with the management scope.
                .RequireAssertion(context => context.User.Identity?.AuthenticationType != OAuthBearerAuthenticationHandler.ManagementScheme ||
                                             (context.User.HasScope(OAuthScopes.Management) && context.User.GetAuthorizationId() is not null)));

        builder.AddOAuthServer();
        builder.Services.AddRazorPages(options => options.Conventions.ConfigureFilter(new AccountPagePolicy()));
        builder.Services.AddGrpc();
        builder.Services.AddScoped<WorkspaceDirectory>();
        builder.Services.AddScoped<ConnectedAppDirectory>();
        builder.Services.AddScoped<UserDirectory>();
        builder.Services.AddScoped<DemoSeed>();
        return builder;
    }

    public static IEndpointRouteBuilder MapIdentityModule(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapRazorPages();
        endpoints.MapOAuthServer();
        endpoints.MapGrpcService<AccountGrpcService>()
            .EnableGrpcWeb()
            .RequireAuthorization(PlatformPolicies.SignedInUser);
        endpoints.MapGrpcService<ConnectedAppGrpcService>()
            .EnableGrpcWeb()
            .RequireAuthorization(PlatformPolicies.SignedInUser);
        return endpoints;
    }

    /// <summary>
    /// Loads the keys every host shares from the database, creating them if this is the first host:
    /// the OAuth signing and encryption keys and the data-protection key ring (cookies, antiforgery).
    /// Stored keys not yet encrypted with the current key-encryption certificate are re-encrypted first.
    /// Run under the startup lock so that hosts starting together agree on one set.
    /// </summary>
    public static void LoadSharedKeys(this IServiceProvider services)
    {
        using (var scope = services.CreateScope())
        {
            scope.ServiceProvider.GetRequiredService<StoredKeyEncryption>().EncryptWithCurrentCertificate();
        }

        _ = services.GetRequiredService<IOptionsMonitor<OpenIddictServerOptions>>().CurrentValue;
        services.GetRequiredService<IDataProtectionProvider>().CreateProtector("Perspective.Startup").Protect([0]);
    }

    // gRPC callers cannot follow a redirect to an HTML page: they get a gRPC status with a message instead.
    private static Func<RedirectContext<CookieAuthenticationOptions>, Task> GrpcStatusForGrpcCalls(
        StatusCode statusCode, Func<HttpContext, string> message, Func<RedirectContext<CookieAuthenticationOptions>, Task> redirect) => context =>
        GrpcResponses.IsGrpcRequest(context.Request)
            ? GrpcResponses.WriteStatusAsync(context.HttpContext, statusCode, message(context.HttpContext))
            : redirect(context);
}
