namespace Perspective.Tests.Shared;

/// <summary>
/// The demo accounts a host seeds when <c>Seed:Demo</c> is on (the README's table). The product's own
/// constants are <c>Perspective.Identity.Seeding.DemoSeed</c>; these are for test code that does not
/// reference the product, and a test of the integration suite keeps the two equal.
/// </summary>
public static class DemoAccounts
{
    public const string Email = "demo@perspective.local";
    public const string Password = "Perspective-demo-1";

    public const string SecondEmail = "sam@perspective.local";
    public const string SecondPassword = "Perspective-demo-2";
}
