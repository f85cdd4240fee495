using System.Globalization;
using System.Net;

namespace Perspective.Identity.OAuth;

/// <summary>
/// Fetches a client ID metadata document for an anonymous caller, so the document's server may be hostile: one
/// deadline covers connecting, the headers and the whole body (a trickling server cannot hold the request past
/// it), and the body is read only up to its size limit. Every failure is a problem to refuse the client with.
/// </summary>
internal sealed class MetadataDocumentFetcher(IHttpClientFactory httpClients, TimeSpan deadline)
{
    public const int MaxDocumentBytes = 64 * 1024;

    public async Task<(ReadOnlyMemory<byte> Document, string? Problem)> FetchAsync(string url, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(deadline);
        try
        {
            using var response = await httpClients.CreateClient(ClientMetadataDocuments.HttpClientName)
                .GetAsync(url, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return Refused($"Fetching it returned HTTP {(int)response.StatusCode} (redirects are not followed).");
            }

            if (response.Content.Headers.ContentLength > MaxDocumentBytes)
            {
                return TooLarge();
            }

            await using var body = await response.Content.ReadAsStreamAsync(timeout.Token);
            return await BoundedReads.ReadAtMostAsync(body, MaxDocumentBytes, timeout.Token) is { } document ? (document, null) : TooLarge();
        }
        catch (OperationCanceledException)
        {
            var seconds = deadline.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
            return Refused($"It did not arrive within {seconds} second{(deadline == TimeSpan.FromSeconds(1) ? "" : "s")}.");
        }
        catch (HttpRequestException)
        {
            // One message whatever the cause, so the answer tells nothing about which internal names exist.
            return Refused("It could not be fetched from a public address.");
        }
        catch (IOException)
        {
            return Refused("The connection ended before the whole document arrived.");
        }
    }

    private static (ReadOnlyMemory<byte>, string?) TooLarge() => Refused($"It is larger than {MaxDocumentBytes / 1024} KiB.");

    private static (ReadOnlyMemory<byte>, string?) Refused(string problem) => (ReadOnlyMemory<byte>.Empty, problem);
}
