using System.Net;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Perspective.EndToEndTests.Browser;

/// <summary>
/// Another web site on the same machine: a web server inside the test process on a loopback port of
/// its own, reachable as <c>http://127.0.0.1:port</c> (the host's name, another port) and as
/// <c>http://localhost:port</c> (another name). It serves a hostile page that frames whatever it is
/// given, and an OAuth callback page for an app whose redirect URI points here.
/// </summary>
public sealed class LoopbackSite : IAsyncDisposable
{
    public const string CallbackPath = "/callback";

    private readonly WebApplication app;

    private LoopbackSite()
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, 0);
            kestrel.AddServerHeader = false;
        });
        app = builder.Build();
        app.Run(AnswerAsync);
    }

    /// <summary><c>http://127.0.0.1:port</c>: the same host as the platform, another port.</summary>
    public string SameHostUrl { get; private set; } = "";

    /// <summary><c>http://localhost:port</c>: another host name, so another origin and another site.</summary>
    public string OtherHostUrl => SameHostUrl.Replace("127.0.0.1", "localhost", StringComparison.Ordinal);

    public string CallbackUrl => SameHostUrl + CallbackPath;

    public static async Task<LoopbackSite> StartAsync()
    {
        var site = new LoopbackSite();
        await site.app.StartAsync();
        site.SameHostUrl = new Uri(site.app.Urls.Single()).GetLeftPart(UriPartial.Authority);
        return site;
    }

    /// <summary>The hostile page's address: it frames each of <paramref name="targets"/> in an iframe named <c>frame-{index}</c>.</summary>
    public static string FramingPath(params string[] targets) =>
        "/framing?" + string.Join('&', targets.Select(target => "src=" + Uri.EscapeDataString(target)));

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await app.StopAsync(timeout.Token);
        await app.DisposeAsync();
    }

    private static Task AnswerAsync(HttpContext context)
    {
        var html = HtmlEncoder.Default;
        var body = context.Request.Path.Value switch
        {
            "/framing" => "<h1>Click the big button to win</h1>" + string.Concat(context.Request.Query["src"].Select((source, index) =>
                $"""<iframe name="frame-{index}" src="{html.Encode(source ?? "")}" width="900" height="500"></iframe>""")),
            CallbackPath => "<h1>The app received the answer</h1>",
            _ => null,
        };
        if (body is null)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }

        context.Response.ContentType = "text/html; charset=utf-8";
        return context.Response.WriteAsync($"<!DOCTYPE html><html lang=\"en\"><head><title>Another site</title></head><body>{body}</body></html>");
    }
}
