using Bunit;
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
}
