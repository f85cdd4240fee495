using Grpc.Net.Client;
using Grpc.Net.Client.Web;
using Microsoft.AspNetCore.Components.WebAssembly.Hosting;
using Perspective.Accounts.V1;
using Perspective.WebUi;
using Perspective.WebUi.Session;

var builder = WebAssemblyHostBuilder.CreateDefault(args);
builder.RootComponents.Add<App>("#app");

// One gRPC-Web channel to the origin that served the app; the browser sends the sign-in cookie.
builder.Services.AddSingleton(services => GrpcChannel.ForAddress(
    builder.HostEnvironment.BaseAddress,
    new GrpcChannelOptions { HttpHandler = new GrpcWebHandler(GrpcWebMode.GrpcWeb, new HttpClientHandler()) }));
builder.Services.AddSingleton(services => new AccountService.AccountServiceClient(services.GetRequiredService<GrpcChannel>()));
builder.Services.AddSingleton<CurrentSession>();

await builder.Build().RunAsync();
