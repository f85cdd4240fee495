using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace Perspective.EndToEndTests.Browser;

/// <summary>
/// axe-core (bundled in the Deque package, nothing downloaded) run on the page as it is now: a test
/// calls it for every state a user can reach (a dialog open, an error shown, a narrow screen), and any
/// violation fails the test with the rule, why it matters and the elements concerned.
/// </summary>
public static class AccessibilityCheck
{
    public static async Task AssertNoViolationsAsync(IPage page, string state)
    {
        var result = await page.RunAxe();
        var violations = result.Violations.Select(v =>
            $"{v.Id} ({v.Impact}): {v.Help} — {string.Join("; ", v.Nodes.Select(n => n.Target.ToString()))}").ToList();
        Assert.True(violations.Count == 0, $"axe-core found {violations.Count} violation(s) in state '{state}':\n" + string.Join("\n", violations));
    }
}
