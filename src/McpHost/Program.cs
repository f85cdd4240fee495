using Perspective.Identity;
using Perspective.Keys;
using Perspective.McpHost.Content;
using Perspective.McpHost.Extensions;
using Perspective.McpHost.Mcp;

var builder = WebApplication.CreateBuilder(args);

builder.AddPlatformHost();
builder.AddIdentityModule();
builder.AddKeysModule();
builder.AddWorkspaceContent();
builder.AddMcpEndpoint();

var app = builder.Build();

await app.PrepareDatabaseAsync();

app.UsePlatformPipeline();
app.MapIdentityModule();
app.MapKeysModule();
app.MapMcpEndpoint();
app.MapPlatformEndpoints();
app.PrintStartupBanner();

app.Run();
