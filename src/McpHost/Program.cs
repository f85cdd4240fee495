using Perspective.McpHost.Deployment;
using Perspective.McpHost.Extensions;
using Perspective.Platform.Hosting;

try
{
    var builder = WebApplication.CreateBuilder(args);
    builder.AddPlatformModules();

    var app = builder.Build();
    app.RequireSettingsUiFiles();

    await app.PrepareDatabaseAsync();

    app.UsePlatformPipeline();
    app.MapPlatformModules();
    app.PrintStartupBanner();

    await app.RunAsync();
    return 0;
}
catch (InvalidSettingException invalid)
{
    // One line an operator can act on, instead of a stack trace.
    await Console.Error.WriteLineAsync(invalid.Message);
    return 2;
}
