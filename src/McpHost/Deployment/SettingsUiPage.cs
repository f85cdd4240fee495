using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.StaticAssets;
using Microsoft.Extensions.FileProviders;
using Perspective.McpHost.Extensions;

namespace Perspective.McpHost.Deployment;

/// <summary>
/// The settings UI's page, <c>index.html</c>, as the host serves it: under a content security policy that
/// allows its import map by that script's SHA-256, and revalidated on every load (<c>no-cache</c>).
/// Added as endpoint metadata to the static asset endpoints of <c>index.html</c> (<see cref="SecurityHeaders"/>
/// reads the policy from there; <c>MapStaticAssets</c> sends their <c>no-cache</c>), and applied by the UI's
/// fallback to every other address of the UI (<see cref="Prepare"/>).
/// </summary>
/// <remarks>
/// <para>
/// The SDK writes the page at build and publish (<c>OverrideHtmlAssetPlaceholders</c> in the UI's csproj):
/// every script it loads, and every module the runtime imports, has its content's hash in its name, so the
/// browser keeps them for a year without asking again. <c>blazor.webassembly.js</c> imports <c>dotnet.js</c>
/// by its plain name, though, so the SDK fills an inline <c>&lt;script type="importmap"&gt;</c> that maps the
/// plain names to the fingerprinted ones. The policy forbids inline scripts, and 'unsafe-inline' would allow
/// any injected one; a <c>'sha256-…'</c> source allows exactly this one text. It is computed when the host
/// starts from the page it will serve (publish output, or in Development the build's rewritten page), so it
/// cannot drift from the page; any other inline script stays blocked.
/// </para>
/// <para>
/// The page itself must never be kept without asking: it names the fingerprinted files of one build, and
/// after a new publish those are gone. <c>no-cache</c> lets the browser keep it but revalidate each time
/// (a <c>304</c> when nothing changed). Without a <c>Cache-Control</c> header, the static file fallback's
/// <c>Last-Modified</c> let Chromium reuse the page heuristically, without asking.
/// </para>
/// </remarks>
public sealed partial class SettingsUiPage
{
    public const string FileName = "index.html";

    /// <summary>Revalidated on every use: the page names one build's fingerprinted files.</summary>
    public const string CacheControl = "no-cache";

    private SettingsUiPage(string? importMapHash)
    {
        ImportMapHash = importMapHash;
        ContentSecurityPolicy = importMapHash is null
            ? SecurityHeaders.ContentSecurityPolicy
            : SecurityHeaders.ContentSecurityPolicyAllowingScript(importMapHash);
    }

    /// <summary>The CSP source (<c>'sha256-…'</c>) of the page's import map; null when the page has none.</summary>
    public string? ImportMapHash { get; }

    /// <summary><see cref="SecurityHeaders.ContentSecurityPolicy"/>, plus the import map's hash in script-src.</summary>
    public string ContentSecurityPolicy { get; }

    /// <summary>The page in <paramref name="webRoot"/>; without one (a Development host whose UI is not built), the plain policy.</summary>
    public static SettingsUiPage Read(IFileProvider webRoot)
    {
        var file = webRoot.GetFileInfo(FileName);
        if (!file.Exists)
        {
            return new SettingsUiPage(importMapHash: null);
        }

        using var stream = file.CreateReadStream();
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return FromHtml(reader.ReadToEnd());
    }

    /// <summary>The page whose HTML is <paramref name="html"/>.</summary>
    /// <exception cref="InvalidOperationException">The page has more than one import map (a browser uses only the first).</exception>
    public static SettingsUiPage FromHtml(string html)
    {
        var maps = ImportMap().Matches(html);
        return maps.Count switch
        {
            0 => new SettingsUiPage(importMapHash: null),
            1 => new SettingsUiPage(HashOf(maps[0].Groups["text"].Value)),
            _ => throw new InvalidOperationException($"The settings UI's {FileName} has {maps.Count} import maps; it should have one."),
        };
    }

    /// <summary>
    /// The CSP hash source of an inline script whose text is <paramref name="script"/>. Browsers hash the text
    /// as the HTML parser leaves it, which turns every CR LF and lone CR into LF (a page written on Windows).
    /// </summary>
    public static string HashOf(string script)
    {
        var normalized = script.ReplaceLineEndings("\n");
        return $"'sha256-{Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(normalized)))}'";
    }

    /// <summary>
    /// Sets the page's policy and caching on a response that serves it without an endpoint carrying this
    /// metadata (the UI's fallback); <see cref="SecurityHeaders"/> keeps a policy the response already has.
    /// </summary>
    public void Prepare(HttpResponse response)
    {
        response.Headers.CacheControl = CacheControl;
        response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
    }

    /// <summary>Whether a static asset endpoint serves the page (<c>index.html</c>, its compressed and fingerprinted forms).</summary>
    public static bool IsServedBy(EndpointBuilder endpoint) =>
        endpoint.Metadata.OfType<StaticAssetDescriptor>().Any(asset =>
            asset.AssetPath.Equals(FileName, StringComparison.OrdinalIgnoreCase) ||
            asset.AssetPath.StartsWith(FileName + ".", StringComparison.OrdinalIgnoreCase));

    // The SDK writes <script type="importmap">…</script>. Matched without regard to case, as HTML is; the script's text runs
    // to the first </script>, as it does for the HTML parser.
    [GeneratedRegex("""<script\s+type\s*=\s*["']?importmap["']?\s*>(?<text>.*?)</script\s*>""", RegexOptions.IgnoreCase | RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex ImportMap();
}
