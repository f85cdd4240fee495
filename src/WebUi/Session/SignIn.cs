using Microsoft.AspNetCore.Components;

namespace Perspective.WebUi.Session;

/// <summary>The sign-in page's address, with the current page to come back to.</summary>
public static class SignIn
{
    public static string Url(NavigationManager navigation) =>
        $"account/login?ReturnUrl={Uri.EscapeDataString("/" + navigation.ToBaseRelativePath(navigation.Uri))}";
}
