using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Perspective.EndToEndTests.Interop;

/// <summary>
/// The official MCP conformance runner (<c>@modelcontextprotocol/conformance</c>, pinned in
/// tests/conformance, run with Node.js 22) against the real host, through the key-adding
/// <see cref="BearerProxy"/>: every server scenario that applies to this server, one test case each.
/// </summary>
/// <remarks>
/// Which scenarios apply was decided by reading each scenario's source in the pinned runner. Many
/// are written against the runner's own "everything server" fixture: they call tools, prompts and
/// resources by fixed names (<c>test_simple_text</c>, <c>test://static-text</c>…) that a product
/// server does not have, so they can only fail here and are listed in <see cref="Excluded"/> with
/// the reason. A new runner version with scenarios in neither list fails
/// <see cref="Every_scenario_of_the_runner_is_run_or_excluded_with_a_reason"/> until someone decides.
/// </remarks>
public sealed partial class McpConformanceTests(ConformanceTarget target) : IClassFixture<ConformanceTarget>
{
    private static readonly TimeSpan ScenarioTimeout = TimeSpan.FromSeconds(60);

    /// <summary>The scenarios that apply to this server and must pass.</summary>
    public static readonly IReadOnlyList<string> Applying =
    [
        // The initialize handshake through the official TypeScript SDK client.
        "server-initialize",

        // The server declares the logging capability (capabilities: {logging, tools}); logging/setLevel answers {}.
        "logging-set-level",

        // ping answers {}.
        "ping",

        // tools/list: every tool has a name, a description and an input schema (whatever the tools are).
        "tools-list",

        // POST initialize with Host evil.example.com and Origin http://evil.example.com must get a 4xx; with
        // Host and Origin the URL's own (here the public host, the proxy's 127.0.0.1:port) a 2xx.
        "dns-rebinding-protection",
    ];

    private const string FixtureTools =
        "calls a tool of the runner's everything-server fixture by name ({0}); this server's tools are workspace_list, " +
        "perspective_list/get/create and conversation_list/get, so the call can only be refused as an unknown tool";

    private const string NoResources =
        "needs the resources capability and the fixture's resources ({0}); this server declares none (capabilities: {{logging, tools}}) " +
        "and answers resources/* with -32601";

    private const string NoPrompts =
        "needs the prompts capability and the fixture's prompts ({0}); this server declares none (capabilities: {{logging, tools}}) " +
        "and answers prompts/* with -32601";

    /// <summary>The runner's server scenarios that do not apply to this server, with the reason.</summary>
    public static readonly IReadOnlyDictionary<string, string> Excluded = new Dictionary<string, string>
    {
        ["completion-complete"] =
            "completes an argument of the fixture prompt test_prompt_with_arguments; this server has no prompts and does not " +
            "declare the completions capability (completion/complete is -32601)",
        ["tools-call-simple-text"] = string.Format(FixtureTools, "test_simple_text"),
        ["tools-call-image"] = string.Format(FixtureTools, "test_image_content"),
        ["tools-call-audio"] = string.Format(FixtureTools, "test_audio_content"),
        ["tools-call-embedded-resource"] = string.Format(FixtureTools, "test_embedded_resource"),
        ["tools-call-mixed-content"] = string.Format(FixtureTools, "test_multiple_content_types"),
        ["tools-call-with-logging"] = string.Format(FixtureTools, "test_tool_with_logging, which must send log notifications"),
        ["tools-call-error"] = string.Format(FixtureTools, "test_error_handling, which must return isError"),
        ["tools-call-with-progress"] = string.Format(FixtureTools, "test_tool_with_progress, which must send progress notifications"),
        ["tools-call-sampling"] = string.Format(FixtureTools, "test_sampling; this server never asks the client for sampling"),
        ["tools-call-elicitation"] = string.Format(FixtureTools, "test_elicitation; this server never elicits"),
        ["elicitation-sep1034-defaults"] = string.Format(FixtureTools, "test_elicitation_sep1034_defaults; this server never elicits"),
        ["elicitation-sep1330-enums"] = string.Format(FixtureTools, "test_elicitation_sep1330_enums; this server never elicits"),
        ["json-schema-2020-12"] =
            "looks for the fixture tool json_schema_2020_12_tool (with $schema, $defs and additionalProperties in its input " +
            "schema) in tools/list; this server has no such tool (its tools' schemas are covered by tools-list)",
        ["server-sse-polling"] =
            string.Format(FixtureTools, "test_reconnection, which must close the SSE stream mid-call") +
            "; the resumption it then tests needs an Mcp-Session-Id, and the server is stateless (pending in the runner's own active suite)",
        ["server-sse-multiple-streams"] =
            "needs an Mcp-Session-Id: the server is stateless and sends none, so the scenario stops at a WARNING " +
            "('Server did not provide session ID') and checks nothing",
        ["resources-list"] = string.Format(NoResources, "resources/list"),
        ["resources-read-text"] = string.Format(NoResources, "test://static-text"),
        ["resources-read-binary"] = string.Format(NoResources, "test://static-binary"),
        ["resources-templates-read"] = string.Format(NoResources, "template test://template/{id}/data"),
        ["resources-subscribe"] = string.Format(NoResources, "resources/subscribe to test://watched-resource"),
        ["resources-unsubscribe"] = string.Format(NoResources, "resources/unsubscribe from test://watched-resource"),
        ["prompts-list"] = string.Format(NoPrompts, "prompts/list"),
        ["prompts-get-simple"] = string.Format(NoPrompts, "test_simple_prompt"),
        ["prompts-get-with-args"] = string.Format(NoPrompts, "test_prompt_with_arguments"),
        ["prompts-get-embedded-resource"] = string.Format(NoPrompts, "test_prompt_with_embedded_resource"),
        ["prompts-get-with-image"] = string.Format(NoPrompts, "test_prompt_with_image"),
    };

    public static TheoryData<string> ApplyingScenarios => new(Applying);

    [Theory]
    [MemberData(nameof(ApplyingScenarios))]
    public async Task The_host_passes_the_conformance_scenario(string scenario)
    {
        var results = Directory.CreateTempSubdirectory("mcp-conformance-");
        try
        {
            CommandLineTool.Result run;
            try
            {
                run = await target.RunRunnerAsync(ScenarioTimeout, "server", "--url", target.McpUrl, "--scenario", scenario, "--output-dir", results.FullName);
            }
            catch (TimeoutException e)
            {
                throw new TimeoutException(
                    $"Conformance scenario '{scenario}' did not finish within {ScenarioTimeout}.\n--- host output (tail) ---\n{Tail(target.HostOutput)}", e);
            }

            var checksFile = Directory.GetFiles(results.FullName, "checks.json", SearchOption.AllDirectories).SingleOrDefault();
            var checks = checksFile is null
                ? []
                : JsonDocument.Parse(File.ReadAllText(checksFile)).RootElement.EnumerateArray().Select(c => c.Clone()).ToList();
            var failures = checks.Where(c => Status(c) == "FAILURE").ToList();

            Assert.True(
                run.ExitCode == 0 && checks.Count > 0 && failures.Count == 0 && checks.Any(c => Status(c) == "SUCCESS"),
                Report(scenario, run, checks, failures));
        }
        finally
        {
            results.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Every_scenario_of_the_runner_is_run_or_excluded_with_a_reason()
    {
        var run = await target.RunRunnerAsync(ScenarioTimeout, "list", "--server");
        Assert.True(run.ExitCode == 0, $"conformance list --server failed:\n{run.Output}\n{run.Error}");
        var listed = ListedScenario().Matches(run.Output).Select(m => m.Groups[1].Value).ToHashSet();
        var applying = Applying.ToHashSet();

        Assert.NotEmpty(listed);
        Assert.Empty(applying.Intersect(Excluded.Keys));
        Assert.Empty(listed.Except(applying).Except(Excluded.Keys).Select(s => $"{s}: neither run nor excluded"));
        Assert.Empty(applying.Union(Excluded.Keys).Except(listed).Select(s => $"{s}: not a scenario of this runner"));
    }

    private static string Status(JsonElement check) => check.GetProperty("status").GetString() ?? "";

    private string Report(string scenario, CommandLineTool.Result run, List<JsonElement> checks, List<JsonElement> failures)
    {
        var report = new StringBuilder(
            $"Conformance scenario '{scenario}' against {target.McpUrl} (the host behind the key-adding proxy): exit code {run.ExitCode}, " +
            $"{checks.Count} checks, {failures.Count} failed.\n");
        foreach (var failure in failures)
        {
            report.AppendLine($"  FAILURE {failure.GetProperty("id").GetString()}: " +
                              $"{(failure.TryGetProperty("errorMessage", out var message) ? message.GetString() : "(no message)")}");
            if (failure.TryGetProperty("details", out var details))
            {
                report.AppendLine($"    details: {details.GetRawText()}");
            }
        }

        if (checks.Count == 0)
        {
            report.AppendLine("  The runner saved no checks.");
        }

        report.AppendLine($"--- runner output ---\n{Tail(run.Output)}\n{Tail(run.Error)}");
        return report.ToString();
    }

    // The runner colours its output whatever the terminal; the codes only clutter a test report.
    private static string Tail(string text, int length = 4000)
    {
        text = AnsiEscape().Replace(text, "");
        return text.Length <= length ? text : "…" + text[^length..];
    }

    [GeneratedRegex(@"\x1b\[[0-9;]*m")]
    private static partial Regex AnsiEscape();

    [GeneratedRegex(@"^\s*-\s+(\S+)", RegexOptions.Multiline)]
    private static partial Regex ListedScenario();
}
