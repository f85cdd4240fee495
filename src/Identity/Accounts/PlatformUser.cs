using Microsoft.AspNetCore.Identity;

namespace Perspective.Identity.Accounts;

/// <summary>A person with an account. The email doubles as the user name.</summary>
public sealed class PlatformUser : IdentityUser
{
    public const int DisplayNameMaxLength = 100;

    public string DisplayName { get; set; } = "";
}
