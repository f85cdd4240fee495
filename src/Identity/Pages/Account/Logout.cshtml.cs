using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Perspective.Identity.Accounts;

namespace Perspective.Identity.Pages.Account;

/// <summary>Sign-out is a POST with an antiforgery token, so no other site can sign a user out.</summary>
public sealed class LogoutModel(SignInManager<PlatformUser> signIn) : PageModel
{
    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        await signIn.SignOutAsync();
        return LocalRedirect("/account/login");
    }
}
