using System.Net;
using Perspective.Identity.Pages.Account;
using Perspective.Identity.Seeding;
using Perspective.Tests.Shared;

namespace Perspective.IntegrationTests.Accounts;

public sealed class SignInTests(PlatformFactory factory) : IClassFixture<PlatformFactory>
{
    [Fact]
    public async Task The_demo_user_signs_in_through_the_form_and_is_sent_back()
    {
        using var client = factory.CreateBrowserLikeClient(new CookieContainer());

        using var response = await SignInForm.SubmitAsync(client, DemoSeed.DemoEmail, DemoSeed.DemoPassword, "/w/acme-research/settings");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/w/acme-research/settings", response.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task A_return_url_to_another_site_is_ignored()
    {
        using var client = factory.CreateBrowserLikeClient(new CookieContainer());

        using var response = await SignInForm.SubmitAsync(client, DemoSeed.DemoEmail, DemoSeed.DemoPassword, "https://evil.example/");

        Assert.Equal("/", response.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task A_wrong_password_and_an_unknown_email_get_the_same_answer()
    {
        using var client = factory.CreateBrowserLikeClient(new CookieContainer());

        var wrongPassword = await FailedSignInPageAsync(client, DemoSeed.SecondEmail, "not-the-password");
        var unknownEmail = await FailedSignInPageAsync(client, "nobody@perspective.local", "not-the-password");

        Assert.Contains(WebUtility.HtmlEncode(LoginModel.FailureMessage), wrongPassword);
        Assert.Equal(Normalize(wrongPassword), Normalize(unknownEmail));
    }

    [Fact]
    public async Task Repeated_failures_lock_the_account_even_for_the_right_password()
    {
        const string email = "lockout@perspective.local", password = "Correct-password-1";
        await factory.CreateUserAsync(email, password);

        using var client = factory.CreateBrowserLikeClient(new CookieContainer());
        for (var attempt = 0; attempt < 5; attempt++)
        {
            await FailedSignInPageAsync(client, email, "wrong-password");
        }

        var page = await FailedSignInPageAsync(client, email, password);
        Assert.Contains(WebUtility.HtmlEncode(LoginModel.FailureMessage), page);
    }

    [Fact]
    public async Task Posting_the_form_without_its_antiforgery_token_is_refused()
    {
        using var client = factory.CreateBrowserLikeClient(new CookieContainer());

        using var response = await client.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Form.Email"] = DemoSeed.DemoEmail,
            ["Form.Password"] = DemoSeed.DemoPassword,
        }));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Signing_out_ends_the_session()
    {
        var cookies = await factory.SignInAsync(DemoSeed.DemoEmail, DemoSeed.DemoPassword);
        using var client = factory.CreateBrowserLikeClient(cookies);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/")).StatusCode);

        var form = await client.GetStringAsync("/account/logout");
        using var response = await client.PostAsync("/account/logout", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = SignInForm.AntiforgeryToken(form),
        }));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/")).StatusCode);
    }

    [Fact]
    public async Task A_signed_out_visitor_is_sent_to_sign_in_and_back()
    {
        using var client = factory.CreateBrowserLikeClient(new CookieContainer());

        using var response = await client.GetAsync("/w/acme-research/settings/mcp");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/account/login?ReturnUrl=%2Fw%2Facme-research%2Fsettings%2Fmcp", response.Headers.Location?.PathAndQuery);
    }

    [Fact]
    public async Task A_signed_in_user_gets_the_settings_app()
    {
        var cookies = await factory.SignInAsync(DemoSeed.DemoEmail, DemoSeed.DemoPassword);
        using var client = factory.CreateBrowserLikeClient(cookies);

        var html = await client.GetStringAsync("/");

        Assert.Contains("_framework/blazor.webassembly", html);
    }

    private static async Task<string> FailedSignInPageAsync(HttpClient client, string email, string password)
    {
        using var response = await SignInForm.SubmitAsync(client, email, password, "/");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    // The pages differ only in their antiforgery token and the email echoed back into the form.
    private static string Normalize(string page) =>
        System.Text.RegularExpressions.Regex.Replace(page, "value=\"[^\"]*\"", "value=\"\"");
}
