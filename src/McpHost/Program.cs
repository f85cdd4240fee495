using Perspective.McpHost.Extensions;

var builder = WebApplication.CreateBuilder(args);
builder.AddPlatformModules();

var app = builder.Build();

await app.PrepareDatabaseAsync();

app.UsePlatformPipeline();
app.MapPlatformModules();
app.PrintStartupBanner();

app.Run();
