using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Perspective.Identity.Accounts;
using Perspective.Identity.Pages.Account;
using Perspective.Tests.Shared;
using Xunit.Abstractions;

namespace Perspective.IntegrationTests.Accounts;

/// <summary>
/// Sign-in resists guessing: every failure looks and takes alike (no account enumeration), and
/// an address that fails too often is refused for a while (beside the per-account lockout).
/// </summary>
public sealed partial class SignInGuessingTests(PlatformFactory factory, ITestOutputHelper output) : IClassFixture<PlatformFactory>
{
    private const string Password = "Guessing-password-1";
    private const string UnknownEmail = "nobody@guessing.example";

    [Fact]
    public async Task Unknown_email_wrong_password_locked_and_passwordless_accounts_get_the_same_answer()
    {
        await factory.CreateUserAsync("wrong@guessing.example", Password);
        await LockAsync(await CreateUserAsync("locked@guessing.example"));
        await CreatePasswordlessUserAsync("passwordless@guessing.example");

        var unknown = await AnswerAsync(UnknownEmail, "Some-password-1");
        var wrong = await AnswerAsync("wrong@guessing.example", "Some-password-1");
        var locked = await AnswerAsync("locked@guessing.example", "Some-password-1");
        var lockedRightPassword = await AnswerAsync("locked@guessing.example", Password);
        var passwordless = await AnswerAsync("passwordless@guessing.example", "Some-password-1");

        Assert.Equal(HttpStatusCode.OK, unknown.Status);
        Assert.Contains(WebUtility.HtmlEncode(LoginModel.FailureMessage), unknown.Body);
        Assert.Equal(unknown, wrong);
        Assert.Equal(unknown, locked);
        Assert.Equal(unknown, lockedRightPassword);
        Assert.Equal(unknown, passwordless);
    }

    [Fact]
    public async Task Unknown_email_wrong_password_locked_and_passwordless_accounts_take_alike()
    {
        const int attempts = 15;
        await factory.CreateUserAsync("slow-wrong@guessing.example", Password);
        await LockAsync(await CreateUserAsync("slow-locked@guessing.example"));
        await CreatePasswordlessUserAsync("slow-passwordless@guessing.example");
        using var client = factory.CreateBrowserLikeClient(new CookieContainer());
        await TimedFailureAsync(client, UnknownEmail); // warm-up: the first request of a kind compiles its queries

        var times = new Dictionary<string, List<double>> { ["unknown"] = [], ["wrong"] = [], ["locked"] = [], ["passwordless"] = [] };
        for (var round = 0; round < attempts; round++)
        {
            // Interleaved, so that load from elsewhere on the machine falls on every kind alike.
            times["unknown"].Add(await TimedFailureAsync(client, UnknownEmail));
            times["wrong"].Add(await TimedFailureAsync(client, "slow-wrong@guessing.example"));
            times["locked"].Add(await TimedFailureAsync(client, "slow-locked@guessing.example"));
            times["passwordless"].Add(await TimedFailureAsync(client, "slow-passwordless@guessing.example"));
            await ForgetFailuresAsync("slow-wrong@guessing.example"); // stays a wrong password, never a lockout
        }

        var median = times.ToDictionary(kind => kind.Key, kind => Median(kind.Value));
        output.WriteLine(string.Join(", ", median.Select(m => string.Create(CultureInfo.InvariantCulture, $"{m.Key} {m.Value:F1} ms"))));
        Assert.InRange(median["locked"] / median["unknown"], 0.5, 2);
        Assert.InRange(median["wrong"] / median["unknown"], 0.5, 2);
        Assert.InRange(median["passwordless"] / median["unknown"], 0.5, 2);
    }

    [Fact]
    public async Task After_the_limit_an_address_gets_429_with_retry_after_and_a_page_saying_when()
    {
        using var host = StrictHost(limit: 3);
        using var client = ClientFrom(host, "203.0.113.10");
        for (var failure = 0; failure < 3; failure++)
        {
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(client, UnknownEmail, "Some-password-1"));
        }

        using var refused = await SignInForm.SubmitAsync(client, UnknownEmail, "Some-password-1", "/");

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        var retryAfter = refused.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5));
        var page = WebUtility.HtmlDecode(await refused.Content.ReadAsStringAsync());
        Assert.Contains(LoginModel.TooManyFailuresMessage, page);
        Assert.Matches(@"try again in \d+ (minutes?|seconds?), after \d\d:\d\d UTC\.", page);
        Assert.DoesNotContain(LoginModel.FailureMessage, page);
    }

    [Fact]
    public async Task A_blocked_address_is_refused_even_the_right_password_and_other_addresses_are_not()
    {
        var email = await CreateUserAsync("blocked-right@guessing.example");
        using var host = StrictHost(limit: 3);
        using var blocked = ClientFrom(host, "203.0.113.20");
        using var neighbour = ClientFrom(host, "203.0.113.21");
        for (var failure = 0; failure < 3; failure++)
        {
            await StatusAsync(blocked, UnknownEmail, "Some-password-1");
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, await StatusAsync(blocked, email, Password));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(neighbour, UnknownEmail, "Some-password-1"));
        Assert.Equal(HttpStatusCode.Redirect, await StatusAsync(neighbour, email, Password));
    }

    [Fact]
    public async Task Successful_sign_ins_do_not_count_toward_the_limit()
    {
        var email = await CreateUserAsync("often@guessing.example");
        using var host = StrictHost(limit: 3);
        using var client = ClientFrom(host, "203.0.113.30");

        for (var signIn = 0; signIn < 5; signIn++)
        {
            using var browser = ClientFrom(host, "203.0.113.30");
            Assert.Equal(HttpStatusCode.Redirect, await StatusAsync(browser, email, Password));
        }

        for (var failure = 0; failure < 3; failure++)
        {
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(client, UnknownEmail, "Some-password-1"));
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, await StatusAsync(client, UnknownEmail, "Some-password-1"));
    }

    [Fact]
    public async Task Parallel_guesses_cannot_outrun_the_limit()
    {
        using var host = StrictHost(limit: 3);
        var forms = new List<(HttpClient Client, string Page)>();
        for (var i = 0; i < 12; i++)
        {
            var client = ClientFrom(host, "203.0.113.40");
            forms.Add((client, await client.GetStringAsync(SignInForm.Path)));
        }

        var statuses = await Task.WhenAll(forms.Select(async form =>
        {
            using var response = await form.Client.PostAsync(SignInForm.Path, SignInForm.Fields(form.Page, UnknownEmail, "Some-password-1"));
            return response.StatusCode;
        }));
        forms.ForEach(form => form.Client.Dispose());

        Assert.Equal(3, statuses.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(9, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
    }

    private async Task<string> CreateUserAsync(string email)
    {
        await factory.CreateUserAsync(email, Password);
        return email;
    }

    /// <summary>An account without a password (one that could only sign in some other way): it has no hash to check.</summary>
    private async Task CreatePasswordlessUserAsync(string email)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var user = new PlatformUser { UserName = email, Email = email, DisplayName = email };
        Assert.True((await scope.ServiceProvider.GetRequiredService<UserManager<PlatformUser>>().CreateAsync(user)).Succeeded);
    }

    private async Task LockAsync(string email) => await WithUserAsync(email, (users, user) =>
        users.SetLockoutEndDateAsync(user, DateTimeOffset.UtcNow.AddHours(1)));

    private async Task ForgetFailuresAsync(string email) => await WithUserAsync(email, (users, user) =>
        users.ResetAccessFailedCountAsync(user));

    private async Task WithUserAsync(string email, Func<UserManager<PlatformUser>, PlatformUser, Task<IdentityResult>> action)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PlatformUser>>();
        Assert.True((await action(users, (await users.FindByEmailAsync(email))!)).Succeeded);
    }

    /// <summary>What a guesser sees of a failed sign-in from a fresh browser: the status, the headers that matter and the page.</summary>
    private async Task<Answer> AnswerAsync(string email, string password)
    {
        using var client = factory.CreateBrowserLikeClient(new CookieContainer());
        using var response = await SignInForm.SubmitAsync(client, email, password, "/");
        var headers = response.Headers.Concat(response.Content.Headers)
            .Where(h => h.Key is not ("Date" or "Content-Length"))
            .Select(h => h.Key == "Set-Cookie"
                ? $"{h.Key}: {string.Join("; ", h.Value.Select(v => v.Split('=')[0]))}"
                : $"{h.Key}: {string.Join(", ", h.Value)}")
            .Order(StringComparer.Ordinal);
        return new Answer(response.StatusCode, string.Join("\n", headers), Normalize(await response.Content.ReadAsStringAsync()));
    }

    // Each page differs only in its antiforgery token and the email echoed back into the form.
    private static string Normalize(string page) => FormValue().Replace(page, "value=\"\"");

    private static async Task<double> TimedFailureAsync(HttpClient client, string email)
    {
        var form = await client.GetStringAsync(SignInForm.Path);
        using var content = SignInForm.Fields(form, email, "Some-password-1", returnUrl: "/");
        var watch = Stopwatch.StartNew();
        using var response = await client.PostAsync("/account/login", content);
        var elapsed = watch.Elapsed.TotalMilliseconds;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return elapsed;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static async Task<HttpStatusCode> StatusAsync(HttpClient client, string email, string password)
    {
        using var response = await SignInForm.SubmitAsync(client, email, password, "/");
        return response.StatusCode;
    }

    private WebApplicationFactory<Program> StrictHost(int limit) => factory.WithWebHostBuilder(builder => builder
        .UseSetting("Account:FailedSignIn:Limit", limit.ToString(CultureInfo.InvariantCulture))
        .ConfigureServices(services => services.AddSingleton<IStartupFilter, ClientAddressFromHeader>()));

    private static HttpClient ClientFrom(WebApplicationFactory<Program> host, string address)
    {
        var client = host.CreateBrowserLikeClient(new CookieContainer());
        client.DefaultRequestHeaders.Add(ClientAddressFromHeader.Header, address);
        return client;
    }

    private sealed record Answer(HttpStatusCode Status, string Headers, string Body);

    [GeneratedRegex("value=\"[^\"]*\"")]
    private static partial Regex FormValue();

    /// <summary>The in-process server has no client address; this test host takes it from a header.</summary>
    private sealed class ClientAddressFromHeader : IStartupFilter
    {
        public const string Header = "X-Test-Client-Address";

        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                if (IPAddress.TryParse(context.Request.Headers[Header].ToString(), out var address))
                {
                    context.Connection.RemoteIpAddress = address;
                }

                return nextMiddleware(context);
            });
            next(app);
        };
    }
}
