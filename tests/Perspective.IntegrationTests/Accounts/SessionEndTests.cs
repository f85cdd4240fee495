using System.Net;
using Grpc.Core;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Perspective.Accounts.V1;
using Perspective.Identity;
using Perspective.Identity.Accounts;
using Perspective.Tests.Shared;

namespace Perspective.IntegrationTests.Accounts;

/// <summary>Sign-out, a password change and a lockout end every session of the user, copies of the cookie included.</summary>
public sealed class SessionEndTests(PlatformFactory factory) : IClassFixture<PlatformFactory>
{
    private const string Password = "Session-password-1";
    private const string SettingsPage = "/w/acme-research/settings/mcp";

    public static TheoryData<string> Transports => ["grpc", "grpc-web"];

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task A_cookie_copied_before_sign_out_is_refused_afterwards(string transport)
    {
        var email = await NewUserAsync($"copied-{transport}");
        var browser = await factory.SignInAsync(email, Password);
        var copy = Copy(browser);
        Assert.Equal(email, (await CurrentUserAsync(transport, copy)).Email);

        await SignOutAsync(browser);

        var error = await Assert.ThrowsAsync<RpcException>(() => CurrentUserAsync(transport, Copy(copy)));
        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.Equal(IdentityModule.SessionEnded, error.Status.Detail);
        await AssertSentToSignInAsync(copy);
    }

    [Fact]
    public async Task Signing_out_in_one_browser_ends_the_session_in_another()
    {
        var email = await NewUserAsync("two-browsers");
        var laptop = await factory.SignInAsync(email, Password);
        var phone = await factory.SignInAsync(email, Password);

        await SignOutAsync(laptop);

        await AssertEndedAsync(phone);
    }

    [Fact]
    public async Task Signing_out_ends_no_session_of_another_user()
    {
        var leaving = await factory.SignInAsync(await NewUserAsync("leaving"), Password);
        var staying = await NewUserAsync("staying");
        var other = await factory.SignInAsync(staying, Password);

        await SignOutAsync(leaving);

        Assert.Equal(staying, (await CurrentUserAsync("grpc-web", other)).Email);
    }

    [Fact]
    public async Task A_password_change_ends_the_other_sessions()
    {
        var email = await NewUserAsync("password-change");
        var first = await factory.SignInAsync(email, Password);
        var second = await factory.SignInAsync(email, Password);

        await WithUserAsync(email, async (users, user) =>
            Assert.True((await users.ChangePasswordAsync(user, Password, "Session-password-2")).Succeeded));

        await AssertEndedAsync(first);
        await AssertEndedAsync(second);
        var renewed = await factory.SignInAsync(email, "Session-password-2");
        Assert.Equal(email, (await CurrentUserAsync("grpc-web", renewed)).Email);
    }

    [Fact]
    public async Task A_lockout_after_failed_sign_ins_ends_the_sessions_of_the_account()
    {
        var email = await NewUserAsync("locked");
        var session = await factory.SignInAsync(email, Password);
        using var guesser = factory.CreateBrowserLikeClient(new CookieContainer());

        for (var attempt = 0; attempt < 5; attempt++)
        {
            using var response = await SignInForm.SubmitAsync(guesser, email, "wrong-password", "/");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await AssertEndedAsync(session);
    }

    [Fact]
    public async Task A_lockout_set_by_an_operator_ends_the_sessions_of_the_account()
    {
        var email = await NewUserAsync("operator-locked");
        var session = await factory.SignInAsync(email, Password);

        await WithUserAsync(email, async (users, user) =>
            Assert.True((await users.SetLockoutEndDateAsync(user, DateTimeOffset.UtcNow.AddHours(1))).Succeeded));

        await AssertEndedAsync(session);
    }

    [Fact]
    public async Task A_valid_session_costs_one_stamp_query_and_no_new_cookie()
    {
        var session = await factory.SignInAsync(await NewUserAsync("cheap"), Password);
        using var verbose = factory.WithWebHostBuilder(builder =>
            builder.UseSetting("Logging:LogLevel:Microsoft.EntityFrameworkCore.Database.Command", "Information"));
        using var browser = verbose.CreateBrowserLikeClient(session);
        (await browser.GetAsync("/")).Dispose(); // warm up: the first request compiles the query
        var before = factory.Logs.Lines.Count;

        using var response = await browser.GetAsync("/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("Set-Cookie"), "A validated session is not reissued.");
        var commands = factory.Logs.Lines.Skip(before).Where(line => line.Contains("Executed DbCommand", StringComparison.Ordinal)).ToList();
        var command = Assert.Single(commands);
        Assert.Contains("\"SecurityStamp\"", command);
        Assert.Contains("\"AspNetUsers\"", command);
    }

    private async Task<string> NewUserAsync(string name)
    {
        var email = $"{name}@sessions.example";
        await factory.CreateUserAsync(email, Password);
        return email;
    }

    private async Task WithUserAsync(string email, Func<UserManager<PlatformUser>, PlatformUser, Task> action)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PlatformUser>>();
        await action(users, (await users.FindByEmailAsync(email))!);
    }

    private async Task<User> CurrentUserAsync(string transport, CookieContainer cookies)
    {
        var channel = transport == "grpc" ? factory.CreateGrpcChannel(cookies) : factory.CreateGrpcWebChannel(cookies);
        return (await new AccountService.AccountServiceClient(channel).GetCurrentUserAsync(new GetCurrentUserRequest())).User;
    }

    private async Task SignOutAsync(CookieContainer cookies)
    {
        using var client = factory.CreateBrowserLikeClient(cookies);
        var form = await client.GetStringAsync("/account/logout");
        using var response = await client.PostAsync("/account/logout", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = SignInForm.AntiforgeryToken(form),
        }));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
    }

    private async Task AssertEndedAsync(CookieContainer cookies)
    {
        foreach (var transport in new[] { "grpc", "grpc-web" })
        {
            var error = await Assert.ThrowsAsync<RpcException>(() => CurrentUserAsync(transport, Copy(cookies)));
            Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
            Assert.Equal(IdentityModule.SessionEnded, error.Status.Detail);
        }

        await AssertSentToSignInAsync(cookies);
    }

    private async Task AssertSentToSignInAsync(CookieContainer cookies)
    {
        using var browser = factory.CreateBrowserLikeClient(Copy(cookies));
        using var response = await browser.GetAsync(SettingsPage);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/account/login?ReturnUrl=%2Fw%2Facme-research%2Fsettings%2Fmcp", response.Headers.Location?.PathAndQuery);
        // The cookie was presented and refused: the answer also deletes it from the browser.
        Assert.Contains(response.Headers.GetValues("Set-Cookie"), cookie => cookie.StartsWith("perspective.session=;", StringComparison.Ordinal));
    }

    // A copy taken the way a thief would: the cookie values, not the container the browser keeps updating.
    private CookieContainer Copy(CookieContainer cookies)
    {
        var copy = new CookieContainer();
        foreach (Cookie cookie in cookies.GetCookies(factory.Server.BaseAddress))
        {
            copy.Add(factory.Server.BaseAddress, new Cookie(cookie.Name, cookie.Value, cookie.Path));
        }

        return copy;
    }
}
