using System.Text.Json;
using Perspective.WebUi.Components.Mcp;

namespace Perspective.WebUi.Tests;

public sealed class SetupSnippetsTests
{
    private const string Endpoint = "https://perspective.example/mcp";
    private const string Token = "pmk_abcdefghijklmnopqrstuvwxyzABCDEF012345";

    [Fact]
    public void Claude_desktop_runs_mcp_remote_with_the_header_from_env_so_no_argument_has_a_space()
    {
        var server = JsonDocument.Parse(SetupSnippets.ClaudeDesktop(Endpoint, Token)).RootElement.GetProperty("mcpServers").GetProperty("perspective");

        Assert.Equal("npx", server.GetProperty("command").GetString());
        Assert.Equal(["-y", "mcp-remote", Endpoint, "--header", "Authorization:${AUTH_HEADER}"],
            server.GetProperty("args").EnumerateArray().Select(a => a.GetString()));
        Assert.All(server.GetProperty("args").EnumerateArray(), a => Assert.DoesNotContain(" ", a.GetString()));
        Assert.Equal($"Bearer {Token}", server.GetProperty("env").GetProperty("AUTH_HEADER").GetString());
    }

    [Fact]
    public void Claude_code_gets_the_exact_add_command() =>
        Assert.Equal(
            $"claude mcp add --transport http --scope user perspective {Endpoint} --header \"Authorization: Bearer {Token}\"",
            SetupSnippets.ClaudeCode(Endpoint, Token));

    [Fact]
    public void Cursor_gets_the_url_and_the_authorization_header()
    {
        var server = JsonDocument.Parse(SetupSnippets.Cursor(Endpoint, Token)).RootElement.GetProperty("mcpServers").GetProperty("perspective");

        Assert.Equal(Endpoint, server.GetProperty("url").GetString());
        Assert.Equal($"Bearer {Token}", server.GetProperty("headers").GetProperty("Authorization").GetString());
    }

    [Fact]
    public void The_placeholder_stays_readable_in_json()
    {
        var snippet = SetupSnippets.Cursor(Endpoint, "<your-token>");

        Assert.Contains("\"Bearer <your-token>\"", snippet);
    }
}
