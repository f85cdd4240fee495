using Microsoft.Playwright;
using Perspective.Tests.Shared;
using Xunit.Abstractions;

namespace Perspective.EndToEndTests.Browser;

/// <summary>
/// The MCP page with the keyboard alone (no click, no mouse) in Debian's Chromium against the published
/// host: create a key, copy its token, close the reveal, delete the key, with focus checked at every step
/// (into each dialog, wrapping inside it, never behind it, back to the opener) and axe-core on every state.
/// Each step is logged, so the walk can be read (and quoted) from the test output.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class KeyboardWalkTests(HostProcess host, BrowserFixture browser, ITestOutputHelper output) : IClassFixture<BrowserFixture>
{
    private const string KeyName = "Keyboard walk key";
    private static readonly LocatorAssertionsToBeVisibleOptions Patient = new() { Timeout = 60_000 };

    private int step;

    [Fact]
    public async Task Create_copy_close_and_delete_a_key_with_the_keyboard_alone()
    {
        // Another key listed after the new one: once the new key's card is gone, focus must not land on this card's Delete.
        using (var api = await PlatformApi.SignInAsync(host, DemoAccounts.Email, DemoAccounts.Password))
        {
            await api.CreateKeyAsync("Keyboard walk neighbour", "acme-research");
        }

        var page = await SignedInMcpPageAsync();
        var reveal = page.GetByRole(AriaRole.Dialog);
        var question = page.GetByRole(AriaRole.Alertdialog);
        var keyName = page.GetByRole(AriaRole.Textbox, new() { Name = "Key name" });
        var createKey = page.GetByRole(AriaRole.Button, new() { Name = "Create key" });
        var tokenField = reveal.GetByRole(AriaRole.Textbox, new() { Name = "Token" });
        var status = page.Locator(".action-status[role=status]");

        await TabUntilAsync(page, keyName);
        await LogAsync(page, "Tab from the top of the page to the Key name field");

        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.Locator("#key-workspaces-error")).ToContainTextAsync("Choose at least one workspace");
        await Assertions.Expect(page.Locator("#key-name-error")).ToContainTextAsync("Give the key a name");
        await ExpectFocusedAsync(page, keyName);
        await Assertions.Expect(keyName).ToHaveAttributeAsync("aria-invalid", "true");
        await LogAsync(page, "Enter on the empty form: the name and workspace messages appear together, focus stays on the first invalid field");
        await AccessibilityCheck.AssertNoViolationsAsync(page, "create form with errors");

        await page.Keyboard.TypeAsync(KeyName);
        await TabUntilAsync(page, page.GetByRole(AriaRole.Checkbox, new() { Name = "Acme Research" }));
        await page.Keyboard.PressAsync("Space");
        await Assertions.Expect(page.GetByRole(AriaRole.Checkbox, new() { Name = "Acme Research" })).ToBeCheckedAsync();
        await LogAsync(page, $"Type \"{KeyName}\", Tab to the Acme Research checkbox, Space checks it");

        await TabUntilAsync(page, createKey);
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(reveal).ToContainTextAsync("will not show it again");
        await ExpectFocusedAsync(page, tokenField);
        var token = await tokenField.InputValueAsync();
        await LogAsync(page, "Tab to Create key, Enter: the reveal dialog opens with focus on the token field");
        await AccessibilityCheck.AssertNoViolationsAsync(page, "reveal dialog open");

        await page.Keyboard.PressAsync("Shift+Tab");
        await ExpectFocusedAsync(page, reveal.GetByRole(AriaRole.Button, new() { Name = "I have copied the token" }));
        await page.Keyboard.PressAsync("Tab");
        await ExpectFocusedAsync(page, tokenField);
        await LogAsync(page, "Shift+Tab from the first control wraps to the last (I have copied the token); Tab wraps back to the token field");
        await AssertTabStaysInsideAsync(page, "reveal dialog");

        await page.Keyboard.PressAsync("Escape");
        await Assertions.Expect(question).ToContainTextAsync("You have not copied the token. Close anyway?");
        await ExpectFocusedAsync(page, question.GetByRole(AriaRole.Button, new() { Name = "Go back" }));
        await LogAsync(page, "Escape before copying: the question \"You have not copied the token. Close anyway?\" opens with focus on Go back");
        await AccessibilityCheck.AssertNoViolationsAsync(page, "confirm-close question");
        await AssertTabStaysInsideAsync(page, "close question");

        await ExpectFocusedAsync(page, question.GetByRole(AriaRole.Button, new() { Name = "Go back" }));
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(question).ToHaveCountAsync(0);
        await Assertions.Expect(tokenField).ToHaveValueAsync(token);
        await ExpectFocusedAsync(page, tokenField);
        await LogAsync(page, "Enter on Go back: the question closes, the token is still shown and focus is back on the token field");

        await page.Keyboard.PressAsync("Tab");
        var copyToken = reveal.GetByRole(AriaRole.Button, new() { Name = "Copy token" });
        await ExpectFocusedAsync(page, copyToken);
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(copyToken).ToHaveTextAsync("Copied");
        Assert.Equal(token, await page.EvaluateAsync<string>("() => navigator.clipboard.readText()"));
        await LogAsync(page, "Tab to Copy token, Enter: the button says Copied and the clipboard holds the token");

        await page.Keyboard.PressAsync("Escape");
        await Assertions.Expect(reveal).ToHaveCountAsync(0);
        await ExpectFocusedAsync(page, createKey);
        await Assertions.Expect(status).ToHaveTextAsync($"Key '{KeyName}' created.");
        await LogAsync(page, "Escape after the copy: the dialog closes at once, focus returns to Create key (its opener), the status says the key was created");
        await AccessibilityCheck.AssertNoViolationsAsync(page, "key created, status shown");

        var card = page.GetByRole(AriaRole.Article, new() { Name = $"Key {KeyName}" });
        var delete = card.GetByRole(AriaRole.Button, new() { Name = $"Delete key {KeyName}" });
        await TabUntilAsync(page, delete);
        await page.Keyboard.PressAsync("Enter");
        var cancel = question.GetByRole(AriaRole.Button, new() { Name = "Cancel" });
        await ExpectFocusedAsync(page, cancel);
        await LogAsync(page, "Tab to the new key's Delete, Enter: the delete question opens with focus on Cancel");
        await AccessibilityCheck.AssertNoViolationsAsync(page, "delete confirmation");
        await AssertTabStaysInsideAsync(page, "delete question");

        await page.Keyboard.PressAsync("Escape");
        await Assertions.Expect(question).ToHaveCountAsync(0);
        await ExpectFocusedAsync(page, delete);
        await LogAsync(page, "Escape: the question closes, nothing is deleted, focus is back on Delete");

        await page.Keyboard.PressAsync("Enter");
        await ExpectFocusedAsync(page, cancel);
        await page.Keyboard.PressAsync("Tab");
        await ExpectFocusedAsync(page, question.GetByRole(AriaRole.Button, new() { Name = "Delete key" }));
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(card).ToHaveCountAsync(0);
        await Assertions.Expect(question).ToHaveCountAsync(0);
        await ExpectFocusedAsync(page, page.Locator("#keys-heading"));
        await Assertions.Expect(status).ToHaveTextAsync($"Key '{KeyName}' deleted.");
        await LogAsync(page, "Enter on Delete again, Tab to Delete key, Enter: the card is gone, focus moves to the Your keys heading, the status says the key was deleted");
        await AccessibilityCheck.AssertNoViolationsAsync(page, "key deleted, status shown");
    }

    [Fact]
    public async Task Closing_an_uncopied_reveal_by_button_asks_and_close_without_copying_ends_it()
    {
        var page = await SignedInMcpPageAsync();
        var reveal = page.GetByRole(AriaRole.Dialog);
        var question = page.GetByRole(AriaRole.Alertdialog);
        await TabUntilAsync(page, page.GetByRole(AriaRole.Textbox, new() { Name = "Key name" }));
        await page.Keyboard.TypeAsync("Never copied");
        await TabUntilAsync(page, page.GetByRole(AriaRole.Checkbox, new() { Name = "Acme Research" }));
        await page.Keyboard.PressAsync("Space");
        await TabUntilAsync(page, page.GetByRole(AriaRole.Button, new() { Name = "Create key" }));
        await page.Keyboard.PressAsync("Enter");
        await ExpectFocusedAsync(page, reveal.GetByRole(AriaRole.Textbox, new() { Name = "Token" }));

        await page.Keyboard.PressAsync("Shift+Tab");
        await page.Keyboard.PressAsync("Enter");
        await ExpectFocusedAsync(page, question.GetByRole(AriaRole.Button, new() { Name = "Go back" }));
        await page.Keyboard.PressAsync("Tab");
        await ExpectFocusedAsync(page, question.GetByRole(AriaRole.Button, new() { Name = "Close without copying" }));
        await page.Keyboard.PressAsync("Enter");

        await Assertions.Expect(reveal).ToHaveCountAsync(0);
        await Assertions.Expect(question).ToHaveCountAsync(0);
        await ExpectFocusedAsync(page, page.GetByRole(AriaRole.Button, new() { Name = "Create key" }));
        await Assertions.Expect(page.GetByRole(AriaRole.Article, new() { Name = "Key Never copied" })).ToBeVisibleAsync();
    }

    private async Task<IPage> SignedInMcpPageAsync()
    {
        var context = await browser.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 } });
        await context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"], new() { Origin = host.BaseUrl });
        var page = await context.NewPageAsync();
        await page.GotoAsync(host.BaseUrl + "/w/acme-research/settings/mcp");
        await page.GetByLabel("Email").FillAsync(DemoAccounts.Email);
        await page.GetByLabel("Password").FillAsync(DemoAccounts.Password);
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Your keys" })).ToBeVisibleAsync(Patient);
        await Assertions.Expect(page.GetByRole(AriaRole.Radio, new() { Name = "30 days" })).ToBeCheckedAsync(new() { Timeout = 60_000 });
        return page;
    }

    /// <summary>Waits for <paramref name="target"/> to have focus; the failure says where focus is instead.</summary>
    private static async Task ExpectFocusedAsync(IPage page, ILocator target)
    {
        try
        {
            await Assertions.Expect(target).ToBeFocusedAsync(new() { Timeout = 15_000 });
        }
        catch (PlaywrightException e)
        {
            Assert.Fail($"{e.Message}\nFocus is on {await FocusedAsync(page)}.");
        }
    }

    /// <summary>Presses Tab until <paramref name="target"/> has focus; fails after 60 presses.</summary>
    private static async Task TabUntilAsync(IPage page, ILocator target)
    {
        for (var presses = 0; presses < 60; presses++)
        {
            if (await target.EvaluateAsync<bool>("e => e === document.activeElement"))
            {
                return;
            }

            await page.Keyboard.PressAsync("Tab");
        }

        Assert.Fail($"Tab never reached {target}; focus is on {await FocusedAsync(page)}.");
    }

    /// <summary>Twice round the open dialog's controls with Tab, then with Shift+Tab: focus never leaves the topmost dialog.</summary>
    private async Task AssertTabStaysInsideAsync(IPage page, string dialog)
    {
        var controls = await page.EvaluateAsync<int>(
            "() => [...[...document.querySelectorAll('dialog[open]')].at(-1).querySelectorAll('a[href], button, input, summary')].filter(e => !e.disabled && e.getClientRects().length).length");
        var start = await FocusedAsync(page);
        foreach (var key in new[] { "Tab", "Shift+Tab" })
        {
            for (var press = 0; press < 2 * controls; press++)
            {
                await page.Keyboard.PressAsync(key);
                Assert.True(
                    await page.EvaluateAsync<bool>("() => document.activeElement.closest('dialog[open]') === [...document.querySelectorAll('dialog[open]')].at(-1)"),
                    $"{key} ×{press + 1} left the {dialog} for {await FocusedAsync(page)}.");
            }
        }

        Assert.Equal(start, await FocusedAsync(page));
        await LogAsync(page, $"Tab and Shift+Tab, twice round the {dialog}'s {controls} controls each: focus never leaves it");
    }

    private async Task LogAsync(IPage page, string what) =>
        output.WriteLine($"{++step}. {what}. [focus: {await FocusedAsync(page)}]");

    private static Task<string> FocusedAsync(IPage page) => page.EvaluateAsync<string>(
        """
        () => {
          const e = document.activeElement;
          const name = (e.getAttribute('aria-label') || e.labels?.[0]?.textContent || e.textContent || '').trim().replace(/\s+/g, ' ').slice(0, 50);
          const where = e.closest('dialog[open]')?.getAttribute('role') ?? 'page';
          return `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''} "${name}" in ${where}`;
        }
        """);
}
