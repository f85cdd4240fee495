using Bunit;
using Perspective.WebUi.Pages;
using Microsoft.Extensions.DependencyInjection;
using Perspective.Accounts.V1;
using Perspective.Connectedapps.V1;
using Perspective.Keys.V1;
using Perspective.WebUi.Session;

namespace Perspective.WebUi.Tests;

/// <summary>A bUnit context with the settings UI's services backed by fakes.</summary>
public abstract class SettingsTestContext : BunitContext
{
    internal FakeAccounts Accounts { get; } = new();

    internal FakeKeys Keys { get; } = new();

    internal FakeConnectedApps ConnectedApps { get; } = new();

    protected SettingsTestContext()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddSingleton<AccountService.AccountServiceClient>(Accounts);
        Services.AddSingleton<McpKeyService.McpKeyServiceClient>(Keys);
        Services.AddSingleton<ConnectedAppService.ConnectedAppServiceClient>(ConnectedApps);
        Services.AddSingleton<CurrentSession>();
        Services.AddSingleton<TimeProvider>(new FixedClock());
    }

    /// <summary>The MCP page of Acme Research, once its keys have loaded.</summary>
    protected IRenderedComponent<McpSettings> RenderMcpPage()
    {
        var page = Render<McpSettings>(parameters => parameters.Add(p => p.WorkspaceSlug, "acme-research"));
        page.WaitForElement("#keys-heading");
        return page;
    }

    /// <summary>Checks the radio of <paramref name="group"/> ("key-access", "key-expiry") with that value.</summary>
    protected static void Choose(IRenderedComponent<McpSettings> page, string group, string value) =>
        page.Find($"input[name={group}][value={value}]").Change(value);

    /// <summary>Names the key, checks the first workspace and submits the create form.</summary>
    protected static void FillAndSubmit(IRenderedComponent<McpSettings> page, string name)
    {
        page.Find("#key-name").Change(name);
        page.FindAll("input[type=checkbox]").First().Change(true);
        page.Find("form").Submit();
    }
}
