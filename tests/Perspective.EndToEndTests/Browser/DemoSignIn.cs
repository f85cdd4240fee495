using Microsoft.Playwright;
using Perspective.Tests.Shared;

namespace Perspective.EndToEndTests.Browser;

/// <summary>The sign-in form, filled with the demo user's credentials and sent with its button (the page must show it).</summary>
public static class DemoSignIn
{
    public static async Task SubmitAsync(IPage page)
    {
        await page.GetByLabel("Email").FillAsync(DemoAccounts.Email);
        await page.GetByLabel("Password").FillAsync(DemoAccounts.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
    }
}
