using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Logging;
using Perspective.Identity.Accounts;

namespace Perspective.Identity.Pages.Account;

public sealed class LoginModel(SignInManager<PlatformUser> signIn, ILogger<LoginModel> logger) : PageModel
{
    /// <summary>One message for every failure, so the page never tells whether an email has an account.</summary>
    public const string FailureMessage =
        "The email or password is incorrect. After several failed attempts, sign-in is paused for a few minutes.";

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

        // No account's email has control characters (and PostgreSQL cannot compare text with NUL).
        var email = Form.Email.Trim();
        var user = email.Any(char.IsControl) ? null : await signIn.UserManager.FindByEmailAsync(email);
        if (user is null)
        {
            // Spend the same time as a wrong password, so timing does not reveal unknown emails either.
            PasswordTiming.VerifyAgainstDummy(signIn.UserManager.PasswordHasher, Form.Password);
            return Failed();
        }

        var result = await signIn.PasswordSignInAsync(user, Form.Password, isPersistent: false, lockoutOnFailure: true);
        if (result.Succeeded)
        {
            logger.LogInformation("User {UserId} signed in.", user.Id);
            return LocalRedirect(SafeReturnUrl());
        }

        if (result.IsLockedOut)
        {
            logger.LogWarning("Sign-in refused for user {UserId}: locked out after repeated failures.", user.Id);
        }

        return Failed();
    }

    private PageResult Failed()
    {
        Error = FailureMessage;
        return Page();
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
