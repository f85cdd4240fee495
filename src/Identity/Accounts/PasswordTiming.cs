using Microsoft.AspNetCore.Identity;

namespace Perspective.Identity.Accounts;

/// <summary>
/// Makes a sign-in that is refused without a password check (unknown email, locked out, not allowed)
/// cost what checking a wrong password costs: the same password hash work.
/// </summary>
internal static class PasswordTiming
{
    private static readonly PlatformUser DummyUser = new();
    private static string? dummyHash;

    /// <summary>Verifies against the account's own hash when it has one (so it costs what that account's check costs), else a dummy hash; the result is ignored.</summary>
    public static void SpendAsOnAPasswordCheck(IPasswordHasher<PlatformUser> hasher, PlatformUser? user, string password)
    {
        if (user?.PasswordHash is { } hash)
        {
            hasher.VerifyHashedPassword(user, hash, password);
            return;
        }

        dummyHash ??= hasher.HashPassword(DummyUser, Guid.NewGuid().ToString("N"));
        hasher.VerifyHashedPassword(DummyUser, dummyHash, password);
    }
}
