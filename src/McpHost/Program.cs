using Perspective.Identity;
using Perspective.McpHost.Extensions;

var builder = WebApplication.CreateBuilder(args);

builder.AddPlatformHost();
builder.AddIdentityModule();

var app = builder.Build();

await app.PrepareDatabaseAsync();

app.UsePlatformPipeline();
app.MapIdentityModule();
app.MapPlatformEndpoints();
app.PrintStartupBanner();

app.Run();
