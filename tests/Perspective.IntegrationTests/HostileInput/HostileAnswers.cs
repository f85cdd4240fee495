using System.Net;
using System.Text.Json;

namespace Perspective.IntegrationTests.HostileInput;

/// <summary>What every answer to hostile input must look like: a precise OAuth error, no 5xx, nothing logged as an error.</summary>
public static class HostileAnswers
{
    /// <summary>Asserts an RFC 7591-style JSON error with this status and code; returns its description.</summary>
    public static async Task<string> OAuthErrorAsync(HttpResponseMessage response, HttpStatusCode status, string error, string? input = null)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{input}: expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var json = JsonDocument.Parse(body).RootElement;
        Assert.Equal(error, json.GetProperty("error").GetString());
        var description = json.GetProperty("error_description").GetString();
        Assert.False(string.IsNullOrWhiteSpace(description));
        return description!;
    }

    /// <summary>No line at Error or Critical level: hostile input is an expected event, not a failure of the host.</summary>
    public static void NoErrorLogs(CapturedLogs logs)
    {
        var errors = logs.SinceStartup.Where(line => line.StartsWith("Error ", StringComparison.Ordinal) || line.StartsWith("Critical ", StringComparison.Ordinal)).ToList();
        Assert.True(errors.Count == 0, string.Join(Environment.NewLine, errors));
    }
}
