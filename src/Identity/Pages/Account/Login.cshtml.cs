using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Logging;
using Perspective.Identity.Accounts;
using Perspective.Platform.Http;

namespace Perspective.Identity.Pages.Account;

public sealed class LoginModel(
    SignInManager<PlatformUser> signIn,
    FailedSignInThrottle failures,
    TimeProvider clock,
    ILogger<LoginModel> logger) : PageModel
{
    /// <summary>One message for every failure, so the page never tells whether an email has an account.</summary>
    public const string FailureMessage =
        "The email or password is incorrect. After several failed attempts, sign-in is paused for a few minutes.";

    /// <summary>How the page that refuses an address past its limit of failed sign-ins begins.</summary>
    public const string TooManyFailuresMessage = "Too many failed sign-ins from your network.";

    [BindProperty]
    public LoginForm Form { get; set; } = new();

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public string? Error { get; private set; }

    public IActionResult OnGet() =>
        signIn.IsSignedIn(User) ? LocalRedirect(SafeReturnUrl()) : Page();

    public async Task<IActionResult> OnPostAsync()
    {
        if (!ModelState.IsValid)
        {
            return Page();
        }

        // Counted as a failure before the password is checked, so parallel guesses cannot outrun the
        // limit; a success gives it back. A refused address learns nothing about any account.
        if (!failures.TryBegin(ClientAddress.Of(HttpContext), out var attempt, out var wait))
        {
            return TooManyFailures(wait);
        }

        var users = signIn.UserManager;
        // No account's email has control characters (and PostgreSQL cannot compare text with NUL).
        var email = Form.Email.Trim();
        var user = email.Any(char.IsControl) ? null : await users.FindByEmailAsync(email);
        if (user?.PasswordHash is null || await users.IsLockedOutAsync(user) || !await signIn.CanSignInAsync(user))
        {
            // Unknown, locked out or not allowed: the same page after the same hash work as a wrong
            // password, so neither the answer nor its time tells these cases apart.
            PasswordTiming.SpendAsOnAPasswordCheck(users.PasswordHasher, user, Form.Password);
            return Failed();
        }

        var result = await signIn.PasswordSignInAsync(user, Form.Password, isPersistent: false, lockoutOnFailure: true);
        if (result.Succeeded)
        {
            failures.Forgive(attempt);
            logger.LogInformation("User {UserId} signed in.", user.Id);
            return LocalRedirect(SafeReturnUrl());
        }

        if (result.IsLockedOut)
        {
            // Only on the failure that starts the lockout: attempts while locked out are not logged one by one.
            logger.LogWarning("User {UserId} is locked out after repeated failed sign-ins; their sessions have ended.", user.Id);
        }

        return Failed();
    }

    private PageResult Failed()
    {
        Error = FailureMessage;
        return Page();
    }

    private PageResult TooManyFailures(TimeSpan wait)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
        var retryAt = clock.GetUtcNow().AddSeconds(seconds);
        Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        Error = string.Create(CultureInfo.InvariantCulture,
            $"{TooManyFailuresMessage} Sign-in from this address is paused: try again in {Duration(seconds)}, after {retryAt:HH:mm} UTC.");
        var page = Page();
        page.StatusCode = StatusCodes.Status429TooManyRequests;
        return page;
    }

    private static string Duration(int seconds)
    {
        if (seconds < 60)
        {
            return seconds == 1 ? "1 second" : string.Create(CultureInfo.InvariantCulture, $"{seconds} seconds");
        }

        var minutes = (seconds + 59) / 60;
        return minutes == 1 ? "1 minute" : string.Create(CultureInfo.InvariantCulture, $"{minutes} minutes");
    }

    private string SafeReturnUrl() =>
        !string.IsNullOrEmpty(ReturnUrl) && Url.IsLocalUrl(ReturnUrl) ? ReturnUrl : "/";

    public sealed class LoginForm
    {
        [Required(ErrorMessage = "Enter your email.")]
        [EmailAddress(ErrorMessage = "Enter an email address such as name@example.com.")]
        [Display(Name = "Email")]
        public string Email { get; set; } = "";

        [Required(ErrorMessage = "Enter your password.")]
        [DataType(DataType.Password)]
        [Display(Name = "Password")]
        public string Password { get; set; } = "";
    }
}
