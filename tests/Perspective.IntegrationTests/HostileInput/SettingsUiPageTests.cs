using System.Security.Cryptography;
using System.Text;
using Perspective.McpHost.Deployment;
using Perspective.McpHost.Extensions;

namespace Perspective.IntegrationTests.HostileInput;

/// <summary>
/// The settings UI's policy allows exactly the page's import map, by the hash a browser computes of it, and
/// nothing else inline: never 'unsafe-inline'.
/// </summary>
public sealed class SettingsUiPageTests
{
    private const string Map = "{\n  \"imports\": {\n    \"./_framework/dotnet.js\": \"./_framework/dotnet.abc123.js\"\n  }\n}";

    [Fact]
    public void The_policy_allows_the_import_map_by_its_sha256_and_nothing_else_inline()
    {
        var page = SettingsUiPage.FromHtml(Page($"<script type=\"importmap\">{Map}</script>"));

        var expected = $"'sha256-{Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(Map)))}'";
        Assert.Equal(expected, page.ImportMapHash);
        Assert.Contains($"script-src 'self' 'wasm-unsafe-eval' {expected};", page.ContentSecurityPolicy, StringComparison.Ordinal);
        Assert.Equal(SecurityHeaders.ContentSecurityPolicy, page.ContentSecurityPolicy.Replace($" {expected}", "", StringComparison.Ordinal));
        Assert.DoesNotContain("unsafe-inline", page.ContentSecurityPolicy, StringComparison.Ordinal);
    }

    [Fact]
    public void A_page_written_with_crlf_line_ends_is_hashed_as_the_browser_parses_it()
    {
        // The HTML parser turns CR LF (and a lone CR) into LF before the script's text is hashed.
        var windows = SettingsUiPage.FromHtml(Page($"<script type=\"importmap\">{Map.Replace("\n", "\r\n", StringComparison.Ordinal)}</script>"));
        var unix = SettingsUiPage.FromHtml(Page($"<script type=\"importmap\">{Map}</script>"));

        Assert.Equal(unix.ImportMapHash, windows.ImportMapHash);
    }

    [Fact]
    public void A_page_without_an_import_map_gets_the_plain_policy()
    {
        var page = SettingsUiPage.FromHtml(Page("<script src=\"_framework/blazor.webassembly.js\"></script>"));

        Assert.Null(page.ImportMapHash);
        Assert.Equal(SecurityHeaders.ContentSecurityPolicy, page.ContentSecurityPolicy);
    }

    [Fact]
    public void A_page_with_two_import_maps_is_refused()
    {
        var html = Page($"<script type=\"importmap\">{Map}</script><script type=\"importmap\">{{}}</script>");

        Assert.Throws<InvalidOperationException>(() => SettingsUiPage.FromHtml(html));
    }

    [Theory]
    [InlineData("'unsafe-inline'")]
    [InlineData("'self'; script-src *")]
    [InlineData("sha256-abc=")]
    public void Only_a_hash_source_can_be_added_to_script_src(string source) =>
        Assert.Throws<ArgumentException>(() => SecurityHeaders.ContentSecurityPolicyAllowingScript(source));

    private static string Page(string head) =>
        $"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n  <base href=\"/\" />\n  {head}\n</head>\n<body></body>\n</html>\n";
}
