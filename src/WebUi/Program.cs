using Grpc.Core;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.AspNetCore.Components.WebAssembly.Hosting;
using Microsoft.JSInterop;
using Perspective.Accounts.V1;
using Perspective.Connectedapps.V1;
using Perspective.Keys.V1;
using Perspective.WebUi;
using Perspective.WebUi.Rpc;
using Perspective.WebUi.Session;
using Perspective.WebUi.Time;

var builder = WebAssemblyHostBuilder.CreateDefault(args);
builder.RootComponents.Add<App>("#app");
// Lets each page set the browser tab's title (<PageTitle>).
builder.RootComponents.Add<HeadOutlet>("head::after");

// gRPC-Web through the browser's fetch, to the origin that served the app; the browser sends the sign-in cookie.
builder.Services.AddSingleton<CallInvoker>(services => new FetchCallInvoker(services.GetRequiredService<IJSRuntime>(), builder.HostEnvironment.BaseAddress));
builder.Services.AddSingleton(services => new AccountService.AccountServiceClient(services.GetRequiredService<CallInvoker>()));
builder.Services.AddSingleton(services => new McpKeyService.McpKeyServiceClient(services.GetRequiredService<CallInvoker>()));
builder.Services.AddSingleton(services => new ConnectedAppService.ConnectedAppServiceClient(services.GetRequiredService<CallInvoker>()));
builder.Services.AddSingleton<CurrentSession>();
builder.Services.AddSingleton<TimeProvider>(services => BrowserClock.Create(services.GetRequiredService<IJSRuntime>()));

await builder.Build().RunAsync();
