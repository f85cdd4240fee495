using Microsoft.Extensions.Options;
using Perspective.Platform.Http;

namespace Perspective.Identity.Accounts;

/// <summary>How many failed sign-ins one client address may make per window (section <c>Account:FailedSignIn</c>).</summary>
public sealed class FailedSignInOptions : FailureLimitOptions
{
    public const string Section = "Account:FailedSignIn";

    public FailedSignInOptions()
    {
        Limit = 10;
        Window = TimeSpan.FromMinutes(5);
    }
}

/// <summary>
/// Failed sign-ins per client address, beside the per-account lockout: the lockout stops guessing one
/// account's password, this stops one address from trying a few passwords on many accounts. Past the
/// limit the address gets 429 for every sign-in until the window ends, the right password included
/// (letting that through would tell the guesser which guess was right). Sign-ins that succeed never
/// count. Per host, in memory: it slows guessing down and decides no access.
/// </summary>
public sealed class FailedSignInThrottle(TimeProvider clock, IOptions<FailedSignInOptions> options)
    : FailureThrottle(clock, options.Value);
