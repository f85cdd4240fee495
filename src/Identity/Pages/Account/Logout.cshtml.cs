using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Perspective.Identity.Accounts;

namespace Perspective.Identity.Pages.Account;

/// <summary>
/// Sign-out is a POST with an antiforgery token, so no other site can sign a user out. It ends every
/// session of the user, not only this browser's: a new security stamp invalidates every cookie issued
/// before, copies included (see <see cref="SessionValidator"/>).
/// </summary>
public sealed class LogoutModel(SignInManager<PlatformUser> signIn) : PageModel
{
    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (await signIn.UserManager.GetUserAsync(User) is { } user)
        {
            await signIn.UserManager.UpdateSecurityStampAsync(user);
        }

        await signIn.SignOutAsync();
        return LocalRedirect("/account/login");
    }
}
