using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Perspective.IntegrationTests.HostileInput;

/// <summary>Dynamic client registration (<c>/connect/register</c>) is anonymous: whatever arrives gets a precise 4xx, never a 5xx.</summary>
public sealed class RegistrationHostileInputTests(PlatformFactory factory) : IClassFixture<PlatformFactory>
{
    private const string Good = "\"redirect_uris\":[\"https://app.example/cb\"]";

    public static TheoryData<string, byte[], string> MalformedBodies => new()
    {
        { "invalid UTF-8 in a string", Utf8AndRaw("{" + Good + ",\"client_name\":\"", [0xFF, 0xFE], "\"}"), "invalid_client_metadata" },
        { "invalid UTF-8 in a redirect URI", Utf8AndRaw("{\"redirect_uris\":[\"https://app.example/", [0xC3, 0x28], "\"]}"), "invalid_client_metadata" },
        { "invalid UTF-8 between members", Utf8AndRaw("{" + Good, [0xC0], "}"), "invalid_client_metadata" },
        { "an unpaired surrogate escape in client_name", Utf8("{" + Good + ",\"client_name\":\"\\ud800\"}"), "invalid_client_metadata" },
        { "an unpaired surrogate escape in a redirect URI", Utf8("{\"redirect_uris\":[\"https://app.example/\\udc00\"]}"), "invalid_redirect_uri" },
        { "truncated JSON", Utf8("{" + Good), "invalid_client_metadata" },
        { "a JSON array", Utf8("[{" + Good + "}]"), "invalid_client_metadata" },
        { "a JSON string", Utf8("\"https://app.example/cb\""), "invalid_client_metadata" },
        { "a JSON number", Utf8("42"), "invalid_client_metadata" },
        { "JSON null", Utf8("null"), "invalid_client_metadata" },
        { "an empty body", [], "invalid_client_metadata" },
        { "only whitespace", Utf8(" \r\n\t "), "invalid_client_metadata" },
        { "a NUL byte", [0], "invalid_client_metadata" },
        { "trailing content", Utf8("{" + Good + "} {}"), "invalid_client_metadata" },
        { "a comment", Utf8("{/* hi */" + Good + "}"), "invalid_client_metadata" },
        { "a duplicated member", Utf8("{" + Good + ",\"redirect_uris\":[\"http://evil.example/cb\"]}"), "invalid_client_metadata" },
        { "deep nesting", Utf8("{" + Good + ",\"x\":" + new string('[', 500) + new string(']', 500) + "}"), "invalid_client_metadata" },
    };

    [Theory]
    [MemberData(nameof(MalformedBodies))]
    public async Task A_body_that_is_not_a_json_object_of_metadata_gets_a_400(string what, byte[] body, string error)
    {
        using var http = factory.CreateClient();

        using var response = await http.PostAsync("/connect/register", Content(body));

        await HostileAnswers.OAuthErrorAsync(response, HttpStatusCode.BadRequest, error, what);
        HostileAnswers.NoErrorLogs(factory.Logs);
    }

    [Theory]
    [InlineData("\"client_name\":5", "invalid_client_metadata", "client_name")]
    [InlineData("\"client_name\":[\"a\"]", "invalid_client_metadata", "client_name")]
    [InlineData("\"token_endpoint_auth_method\":true", "invalid_client_metadata", "token_endpoint_auth_method")]
    [InlineData("\"grant_types\":\"authorization_code\"", "invalid_client_metadata", "grant_types")]
    [InlineData("\"grant_types\":[\"authorization_code\",1]", "invalid_client_metadata", "grant_types")]
    [InlineData("\"response_types\":{\"code\":true}", "invalid_client_metadata", "response_types")]
    [InlineData("\"scope\":[\"mcp\"]", "invalid_client_metadata", "scope")]
    public async Task A_member_of_the_wrong_json_type_is_named(string member, string error, string field)
    {
        using var http = factory.CreateClient();

        using var response = await http.PostAsync("/connect/register", Content(Utf8("{" + Good + "," + member + "}")));

        Assert.Contains(field, await HostileAnswers.OAuthErrorAsync(response, HttpStatusCode.BadRequest, error));
        HostileAnswers.NoErrorLogs(factory.Logs);
    }

    [Theory]
    [InlineData("{\"redirect_uris\":\"https://app.example/cb\"}")]
    [InlineData("{\"redirect_uris\":[1]}")]
    [InlineData("{\"redirect_uris\":[null]}")]
    [InlineData("{\"redirect_uris\":[\"https://app.example/cb\",{}]}")]
    public async Task Redirect_uris_of_the_wrong_json_type_are_invalid_redirect_uris(string body)
    {
        using var http = factory.CreateClient();

        using var response = await http.PostAsync("/connect/register", Content(Utf8(body)));

        Assert.Contains("redirect_uris", await HostileAnswers.OAuthErrorAsync(response, HttpStatusCode.BadRequest, "invalid_redirect_uri"));
    }

    [Theory]
    [InlineData("https://app.example/cb\r\nSet-Cookie: a=b")]
    [InlineData("https://app.example/cb\n")]
    [InlineData("http://127.0.0.1:4000/cb\r")]
    [InlineData("https://app.example/c\tb")]
    [InlineData("https://app.example/c b")]
    [InlineData(" https://app.example/cb")]
    [InlineData("https://app.example/cb\u0000")]
    [InlineData("https://app.example/cb\u007F")]
    [InlineData("https://app.example/cb\u0085")]
    [InlineData("https://app.example/cb\u00A0")]
    [InlineData("https://app.example/\u202Ebc")]
    [InlineData("https://app.example/cb\u200B")]
    [InlineData("https://app.example/cb\uFEFF")]
    [InlineData("https://app.example/cb\u2028")]
    [InlineData("https://app.éxample/cb")]
    [InlineData("cursor://callback\u2066/x")]
    public async Task Redirect_uris_with_control_space_or_invisible_characters_are_refused(string redirectUri)
    {
        using var http = factory.CreateClient();

        using var response = await http.PostAsync("/connect/register", OAuthTestClient.Json(new { redirect_uris = new[] { redirectUri } }));

        var description = await HostileAnswers.OAuthErrorAsync(response, HttpStatusCode.BadRequest, "invalid_redirect_uri");
        Assert.DoesNotContain(description, c => char.IsControl(c) || c is '\u202E' or '\u2066' or '\u2028');
        HostileAnswers.NoErrorLogs(factory.Logs);
    }

    public static TheoryData<string> HiddenOrReorderingCharacters()
    {
        var data = new TheoryData<string>();
        char[] characters =
        [
            '\u202A', '\u202B', '\u202C', '\u202D', '\u202E', '\u2066', '\u2067', '\u2068', '\u2069', '\u200E', '\u200F',
            '\u200B', '\u200C', '\u200D', '\u2060', '\uFEFF', '\u2028', '\u2029', '\u0000', '\u0007', '\t', '\n', '\r', '\u007F', '\u0085',
        ];
        foreach (var c in characters)
        {
            data.Add($"Good{c}Name");
            data.Add($"Good Name{c}");
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(HiddenOrReorderingCharacters))]
    public async Task Client_names_with_control_or_invisible_characters_are_refused(string name)
    {
        using var http = factory.CreateClient();

        using var response = await http.PostAsync("/connect/register", OAuthTestClient.Json(new { client_name = name, redirect_uris = new[] { "https://app.example/cb" } }));

        Assert.Contains("client_name", await HostileAnswers.OAuthErrorAsync(response, HttpStatusCode.BadRequest, "invalid_client_metadata"));
        HostileAnswers.NoErrorLogs(factory.Logs);
    }

    [Fact]
    public async Task Ordinary_names_in_any_script_are_kept_and_null_members_count_as_absent()
    {
        const string name = "Café Client — 日本語 عميل 😀 e\u0301";
        using var http = factory.CreateClient();

        using var response = await http.PostAsync("/connect/register", Content(Utf8(
            "{" + Good + ",\"client_name\":\"" + name + "\",\"scope\":null,\"grant_types\":null,\"token_endpoint_auth_method\":null}")));

        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body);
        Assert.Equal(name, JsonDocument.Parse(body).RootElement.GetProperty("client_name").GetString());
    }

    [Fact]
    public async Task An_oversized_chunked_body_is_refused_after_reading_little_more_than_the_limit()
    {
        using var http = StreamingClient();
        var body = new CountingBody(10 * 1024 * 1024);

        using var response = await http.PostAsync("/connect/register", new StreamContent(body) { Headers = { { "Content-Type", "application/json" } } });

        Assert.Contains("16 KiB", await HostileAnswers.OAuthErrorAsync(response, HttpStatusCode.RequestEntityTooLarge, "invalid_client_metadata"));
        Assert.True(body.Pulled < 1024 * 1024, $"The server pulled {body.Pulled} bytes of the body.");
        HostileAnswers.NoErrorLogs(factory.Logs);
    }

    [Fact]
    public async Task A_content_length_above_the_limit_is_refused_without_reading_the_body()
    {
        using var http = StreamingClient();
        var body = new CountingBody(10 * 1024 * 1024);
        var content = new StreamContent(body) { Headers = { { "Content-Type", "application/json" } } };
        content.Headers.ContentLength = body.Length;

        using var response = await http.PostAsync("/connect/register", content);

        Assert.Contains("16 KiB", await HostileAnswers.OAuthErrorAsync(response, HttpStatusCode.RequestEntityTooLarge, "invalid_client_metadata"));
        Assert.True(body.Pulled < 1024 * 1024, $"The server pulled {body.Pulled} bytes of the body.");
    }

    [Fact]
    public async Task A_body_of_exactly_the_limit_is_read()
    {
        using var http = factory.CreateClient();
        var json = "{" + Good + ",\"client_name\":\"Padded\"}";
        var padded = json + new string(' ', 16 * 1024 - json.Length);

        using var response = await http.PostAsync("/connect/register", Content(Utf8(padded)));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task A_body_that_breaks_off_while_being_read_gets_a_400()
    {
        using var host = factory.WithWebHostBuilder(builder => builder.ConfigureTestServices(services =>
            services.AddSingleton<IStartupFilter>(new BreakingBody())));
        using var http = host.CreateClient();

        using var response = await http.PostAsync("/connect/register", Content(Utf8("{" + Good + "}")));

        Assert.Contains("could not be read", await HostileAnswers.OAuthErrorAsync(response, HttpStatusCode.BadRequest, "invalid_client_metadata"));
        HostileAnswers.NoErrorLogs(factory.Logs);
    }

    [Fact]
    public async Task A_rate_limited_registration_says_when_to_retry()
    {
        using var strict = factory.WithWebHostBuilder(builder => builder.UseSetting("OAuth:Registration:PermitPerMinute", "1"));
        using var http = strict.CreateClient();

        using var first = await http.PostAsync("/connect/register", Content(Utf8("{" + Good + "}")));
        using var second = await http.PostAsync("/connect/register", Content(Utf8("{" + Good + "}")));

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        var retryAfter = second.Headers.GetValues("Retry-After").Single();
        Assert.True(int.TryParse(retryAfter, out var seconds) && seconds is >= 1 and <= 60, $"Retry-After: {retryAfter}");
    }

    // Straight to the test server: the factory's default client buffers request bodies (to replay them on redirects).
    private HttpClient StreamingClient() => new(factory.Server.CreateHandler()) { BaseAddress = factory.Server.BaseAddress };

    private static ByteArrayContent Content(byte[] body) => new(body) { Headers = { { "Content-Type", "application/json" } } };

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private static byte[] Utf8AndRaw(string before, byte[] raw, string after) => [.. Utf8(before), .. raw, .. Utf8(after)];

    /// <summary>What Kestrel does to a malformed chunked body or one that arrives too slowly: reading it throws.</summary>
    private sealed class BreakingBody : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, rest) =>
            {
                context.Request.Body = new BrokenStream();
                return rest(context);
            });
            next(app);
        };

        private sealed class BrokenStream : MemoryStream
        {
            public override int Read(byte[] buffer, int offset, int count) => throw Broken();

            public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => throw Broken();

            public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => throw Broken();

            private static BadHttpRequestException Broken() => new("Unexpected end of request content.");
        }
    }

    /// <summary>A body of <paramref name="length"/> bytes produced on demand, counting how many the server actually pulled.</summary>
    private sealed class CountingBody(long length) : Stream
    {
        private long pulled;

        public long Pulled => Interlocked.Read(ref pulled);

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => length;

        public override long Position
        {
            get => Pulled;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var count = (int)Math.Min(buffer.Length, length - Pulled);
            buffer[..count].Fill((byte)'x');
            Interlocked.Add(ref pulled, count);
            return count;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Read(buffer.Span));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Task.FromResult(Read(buffer.AsSpan(offset, count)));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
