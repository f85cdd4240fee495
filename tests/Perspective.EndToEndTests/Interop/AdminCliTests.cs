using System.Text.Json;

namespace Perspective.EndToEndTests.Interop;

/// <summary>
/// The README's "Administer with grpcurl" commands, run with <c>buf curl</c> (a generic gRPC client
/// from the npm package the test command installs) through reflection only, on the HTTP/2 port,
/// with an admin token from the client-credentials grant.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class AdminCliTests(HostProcess host)
{
    private static readonly string Buf = Path.Combine(RepositoryPaths.Root, "node_modules", ".bin", "buf");

    [Fact]
    public async Task An_admin_creates_and_lists_users_with_buf_curl_through_reflection()
    {
        var token = await AdminTokenAsync();

        var services = await BufCurlAsync(token, "--list-services", host.GrpcUrl);
        var created = await BufCurlAsync(token, "-d", """{"email":"cli.user@example.com","display_name":"CLI User","password":"Cli-user-password-1"}""",
            $"{host.GrpcUrl}/perspective.admin.v1.AdminService/CreateUser");
        var listed = await BufCurlAsync(token, "-d", """{"email_prefix":"cli."}""", $"{host.GrpcUrl}/perspective.admin.v1.AdminService/ListUsers");
        var withoutToken = await BufCurlAsync(null, "-d", "{}", $"{host.GrpcUrl}/perspective.admin.v1.AdminService/ListUsers");

        Assert.Contains("perspective.admin.v1.AdminService", services.Output);
        Assert.True(created.ExitCode == 0, created.Error + created.Output);
        Assert.Equal("cli.user@example.com", JsonDocument.Parse(created.Output).RootElement.GetProperty("user").GetProperty("email").GetString());
        Assert.Equal(["cli.user@example.com"], JsonDocument.Parse(listed.Output).RootElement.GetProperty("users").EnumerateArray()
            .Select(u => u.GetProperty("email").GetString()));
        Assert.NotEqual(0, withoutToken.ExitCode);
        Assert.Contains("unauthenticated", withoutToken.Output + withoutToken.Error);
    }

    private async Task<string> AdminTokenAsync()
    {
        var secret = host.AdminClientSecret;
        Assert.False(string.IsNullOrEmpty(secret), "The host did not print the generated admin client at first start.");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        using var response = await http.PostAsync($"{host.BaseUrl}/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = "perspective-admin",
            ["client_secret"] = secret,
            ["scope"] = "admin",
        }));
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.True(response.IsSuccessStatusCode, body.ToString());
        return body.GetProperty("access_token").GetString()!;
    }

    private static Task<CommandLineTool.Result> BufCurlAsync(string? token, params string[] arguments)
    {
        Assert.True(File.Exists(Buf), $"{Buf} is missing: run the README test command, which installs the npm packages.");
        string[] authorization = token is null ? [] : ["-H", $"Authorization: Bearer {token}"];
        return CommandLineTool.RunAsync(Buf, ["curl", "--protocol", "grpc", "--http2-prior-knowledge", "--reflect", .. authorization, .. arguments], TimeSpan.FromSeconds(60));
    }
}
