using Perspective.Identity.Seeding;
using Perspective.Tests.Shared;

namespace Perspective.IntegrationTests.Accounts;

/// <summary>The test kit's demo credentials, for test code that does not reference the product, are the ones the host seeds.</summary>
public sealed class DemoAccountsTests
{
    [Fact]
    public void The_test_kits_demo_accounts_are_the_seeded_ones() =>
        Assert.Equal(
            (DemoSeed.DemoEmail, DemoSeed.DemoPassword, DemoSeed.SecondEmail, DemoSeed.SecondPassword),
            (DemoAccounts.Email, DemoAccounts.Password, DemoAccounts.SecondEmail, DemoAccounts.SecondPassword));
}
