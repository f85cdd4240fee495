using Perspective.Platform.Hosting;

namespace Perspective.McpHost.Deployment;

/// <summary>
/// Outside Development the settings UI is served from <c>wwwroot</c> under the content root, which only
/// the output of <c>dotnet publish</c> has; the build output would answer 404 after sign-in. Refuse to
/// start instead, saying what to run.
/// </summary>
public static class SettingsUiFiles
{
    public static WebApplication RequireSettingsUiFiles(this WebApplication app)
    {
        if (app.Environment.IsDevelopment() || app.Environment.WebRootFileProvider.GetFileInfo("index.html").Exists)
        {
            return app;
        }

        throw new InvalidSettingException("ASPNETCORE_CONTENTROOT",
            $"('{app.Environment.ContentRootPath}') has no wwwroot/index.html for the settings UI: run the output of " +
            "'dotnet publish src/McpHost -c Release -o publish' from its own folder (systemd: WorkingDirectory), or point ASPNETCORE_CONTENTROOT at that folder.");
    }
}
