using Microsoft.AspNetCore.Identity;

namespace Perspective.Identity.Accounts;

/// <summary>Makes a sign-in for an unknown email cost what a wrong password costs.</summary>
internal static class PasswordTiming
{
    private static readonly PlatformUser DummyUser = new();
    private static string? dummyHash;

    public static void VerifyAgainstDummy(IPasswordHasher<PlatformUser> hasher, string password)
    {
        dummyHash ??= hasher.HashPassword(DummyUser, Guid.NewGuid().ToString("N"));
        hasher.VerifyHashedPassword(DummyUser, dummyHash, password);
    }
}
