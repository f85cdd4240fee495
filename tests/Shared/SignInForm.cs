using System.Net;
using System.Text.RegularExpressions;

namespace Perspective.Tests.Shared;

/// <summary>
/// The sign-in form as a browser submits it, over any HTTP client that keeps cookies (the in-process
/// test server's or a real host's): <c>GET /account/login</c>, its antiforgery token, then
/// <c>POST Form.Email</c> and <c>Form.Password</c>.
/// </summary>
public static partial class SignInForm
{
    public const string Path = "/account/login";

    /// <summary>Fetches the form and submits it filled in; returns the answer (a redirect once signed in).</summary>
    public static async Task<HttpResponseMessage> SubmitAsync(HttpClient browser, string email, string password, string? returnUrl = null)
    {
        var page = await browser.GetStringAsync(Path);
        return await browser.PostAsync(Path, Fields(page, email, password, returnUrl));
    }

    /// <summary>The form of <paramref name="page"/> (the sign-in page's HTML) filled in, ready to post.</summary>
    public static FormUrlEncodedContent Fields(string page, string email, string password, string? returnUrl = null)
    {
        var fields = new Dictionary<string, string>
        {
            ["Form.Email"] = email,
            ["Form.Password"] = password,
            ["__RequestVerificationToken"] = AntiforgeryToken(page),
        };
        if (returnUrl is not null)
        {
            fields["ReturnUrl"] = returnUrl;
        }

        return new FormUrlEncodedContent(fields);
    }

    /// <summary>The antiforgery token of the form on an account page (sign-in, sign-out, consent).</summary>
    public static string AntiforgeryToken(string html)
    {
        var match = AntiforgeryTokenField().Match(html);
        return match.Success
            ? WebUtility.HtmlDecode(match.Groups[1].Value)
            : throw new InvalidOperationException("The page has no antiforgery token.");
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryTokenField();
}
