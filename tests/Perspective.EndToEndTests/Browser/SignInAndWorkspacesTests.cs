using Microsoft.Playwright;
using Perspective.Tests.Shared;

namespace Perspective.EndToEndTests.Browser;

[Collection(EndToEndCollection.Name)]
public sealed class SignInAndWorkspacesTests(HostProcess host, BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private static readonly LocatorAssertionsToBeVisibleOptions Patient = new() { Timeout = 60_000 };

    [Fact]
    public async Task The_demo_user_signs_in_and_sees_their_two_workspaces_but_not_the_third()
    {
        await using var context = await browser.Browser.NewContextAsync();
        var page = await context.NewPageAsync();

        await page.GotoAsync(host.BaseUrl + "/");
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/account/login\\?ReturnUrl=%2F$"));

        await DemoSignIn.SubmitAsync(page);

        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Welcome, Demo User" })).ToBeVisibleAsync(Patient);
        var workspaces = page.GetByRole(AriaRole.Table, new() { Name = "Your workspaces" });
        await Assertions.Expect(workspaces.GetByRole(AriaRole.Cell, new() { Name = "Acme Research", Exact = true })).ToBeVisibleAsync();
        await Assertions.Expect(workspaces.GetByRole(AriaRole.Cell, new() { Name = "Northwind Product", Exact = true })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("Globex Strategy")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task A_wrong_password_keeps_the_visitor_on_the_sign_in_page_with_a_message()
    {
        await using var context = await browser.Browser.NewContextAsync();
        var page = await context.NewPageAsync();

        await page.GotoAsync(host.BaseUrl + "/account/login");
        await page.GetByLabel("Email").FillAsync(DemoAccounts.Email);
        await page.GetByLabel("Password").FillAsync("wrong-password");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("The email or password is incorrect.");
    }
}
