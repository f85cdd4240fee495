using Perspective.Identity;
using Perspective.Keys;
using Perspective.McpHost.Admin;
using Perspective.McpHost.Content;
using Perspective.McpHost.Extensions;
using Perspective.McpHost.Mcp;

var builder = WebApplication.CreateBuilder(args);

builder.AddPlatformHost();
builder.AddIdentityModule();
builder.AddKeysModule();
builder.AddWorkspaceContent();
builder.AddMcpEndpoint();
builder.AddAdminModule();

var app = builder.Build();

await app.PrepareDatabaseAsync();

app.UsePlatformPipeline();
app.MapIdentityModule();
app.MapKeysModule();
app.MapMcpEndpoint();
app.MapAdminModule();
app.MapPlatformEndpoints();
app.PrintStartupBanner();

app.Run();
