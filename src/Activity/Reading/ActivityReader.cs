using Google.Protobuf.WellKnownTypes;
using Microsoft.EntityFrameworkCore;
using Perspective.Activity.Recording;
using Perspective.Activity.Storage;
using Perspective.Activity.V1;
using Perspective.Platform.Grpc;

namespace Perspective.Activity.Reading;

/// <summary>One page of a credential's activity, as the <c>List…Activity</c> RPCs answer it.</summary>
public sealed record ActivityPage(IReadOnlyList<ToolCall> ToolCalls, IReadOnlyList<DailyToolUse> DailyReads, string NextPageToken);

/// <summary>
/// A credential's activity for the services that show it: its tool calls that changed data, newest first
/// and paged, and its reading calls per tool and day over the last <see cref="Days"/> days, with the counts
/// this host has not written yet added in. Whether the caller may see the credential is the service's question.
/// </summary>
public sealed class ActivityReader(ActivityDataContext db, ReadCounter counter, TimeProvider clock)
{
    /// <summary>How many days of reading counts are shown, today (UTC) included.</summary>
    public const int Days = 30;

    /// <param name="workspaceNames">The display names of the workspaces with these ids that still exist.</param>
    public async Task<ActivityPage> ReadAsync(
        ActivityCredential credential,
        PageRequest<NewestFirstCursor> page,
        Func<IReadOnlyCollection<Guid>, CancellationToken, Task<IReadOnlyDictionary<Guid, string>>> workspaceNames,
        CancellationToken cancellationToken)
    {
        var calls = db.ToolCalls.AsNoTracking().Where(c => c.CredentialKind == credential.Kind && c.CredentialId == credential.Id);
        if (page.After is { } after)
        {
            calls = calls.Where(c => c.Time < after.Time || (c.Time == after.Time && string.Compare(c.Id, after.Id) < 0));
        }

        var fetched = await calls.OrderByDescending(c => c.Time).ThenByDescending(c => c.Id).Take(page.FetchCount).ToListAsync(cancellationToken);
        var shown = page.Items(fetched).ToList();
        var names = shown.Count == 0
            ? new Dictionary<Guid, string>()
            : await workspaceNames(shown.Select(c => c.WorkspaceId).Distinct().ToList(), cancellationToken);

        return new ActivityPage(
            shown.Select(c => MapToToolCall(c, names)).ToList(),
            await DailyReadsAsync(credential, cancellationToken),
            page.NextPageToken(fetched, c => new NewestFirstCursor(c.Time, c.Id)));
    }

    /// <summary>The list name of a credential's activity in page tokens, so a token of one credential's list is refused by another's.</summary>
    public static string ListName(ActivityCredential credential) => $"activity:{credential.Kind}:{credential.Id}";

    private async Task<IReadOnlyList<DailyToolUse>> DailyReadsAsync(ActivityCredential credential, CancellationToken cancellationToken)
    {
        var since = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime).AddDays(1 - Days);
        var stored = await db.DailyReads.AsNoTracking()
            .Where(r => r.CredentialKind == credential.Kind && r.CredentialId == credential.Id && r.Day >= since)
            .Select(r => new { r.Day, r.Tool, r.Count })
            .ToListAsync(cancellationToken);

        var pending = counter.PendingFor(credential).Where(p => p.Key.Day >= since).Select(p => new { p.Key.Day, p.Key.Tool, Count = p.Value });
        return stored.Concat(pending)
            .GroupBy(r => (r.Day, r.Tool))
            .OrderByDescending(g => g.Key.Day).ThenBy(g => g.Key.Tool, StringComparer.Ordinal)
            .Select(g => new DailyToolUse
            {
                Day = Timestamp.FromDateTime(g.Key.Day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc)),
                Tool = g.Key.Tool,
                Count = g.Sum(r => r.Count),
            })
            .ToList();
    }

    private static ToolCall MapToToolCall(RecordedToolCall call, IReadOnlyDictionary<Guid, string> workspaceNames) => new()
    {
        Id = call.Id,
        Tool = call.Tool,
        WorkspaceId = call.WorkspaceId.ToString(),
        WorkspaceName = workspaceNames.GetValueOrDefault(call.WorkspaceId, ""),
        ObjectId = call.ObjectId ?? "",
        Time = Timestamp.FromDateTime(call.Time),
        Client = call.Client,
        Address = call.Address,
    };
}
