using Perspective.Identity;
using Perspective.Keys;
using Perspective.McpHost.Extensions;

var builder = WebApplication.CreateBuilder(args);

builder.AddPlatformHost();
builder.AddIdentityModule();
builder.AddKeysModule();

var app = builder.Build();

await app.PrepareDatabaseAsync();

app.UsePlatformPipeline();
app.MapIdentityModule();
app.MapKeysModule();
app.MapPlatformEndpoints();
app.PrintStartupBanner();

app.Run();
