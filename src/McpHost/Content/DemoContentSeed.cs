using Microsoft.EntityFrameworkCore;
using Perspective.Platform.Storage;

namespace Perspective.McpHost.Content;

/// <summary>
/// A small, realistic set of perspectives and conversations in the demo workspaces, including
/// the one the demo user does not belong to, so that any leak across workspaces would show.
/// A workspace that already has perspectives is left alone.
/// </summary>
public sealed class DemoContentSeed(ContentDataContext db, TimeProvider clock)
{
    private sealed record SeedConversation(string Participant, int DaysAgo, string Summary, params string[] Lines);

    private sealed record SeedPerspective(string Title, string Description, PerspectiveStatus Status, int DaysAgo, params SeedConversation[] Conversations);

    private static readonly Dictionary<string, SeedPerspective[]> Content = new()
    {
        ["acme-research"] =
        [
            new("Onboarding friction interviews",
                "Talks with customers who signed up in the last 30 days about what slowed them down during setup, and what nearly made them give up.",
                PerspectiveStatus.Live, 21,
                new SeedConversation("Priya Natarajan", 3, "Inviting teammates took three tries; the SSO setup guide skipped the step for assigning the app to groups.",
                    "Agent: What was the first thing you tried to do after signing up?",
                    "Priya: Invite my team. The invite emails went out, but nobody could get in until IT assigned the app.",
                    "Agent: What would have helped?",
                    "Priya: One sentence in the SSO guide telling me to assign the app to a group first."),
                new SeedConversation("Marcus Lee", 6, "Smooth setup; wants a sample workspace to explore before inviting colleagues.",
                    "Agent: How did the first hour go?",
                    "Marcus: Fine, honestly. I just didn't know what a good workspace looks like, so I was nervous about inviting people into an empty one.")),
            new("Pricing page reactions",
                "Asks visitors what they expected to pay, which plan felt right for their team, and what made them hesitate.",
                PerspectiveStatus.Draft, 4),
        ],
        ["northwind-product"] =
        [
            new("Feature request triage",
                "Follows up on feature requests from the support inbox to understand the job behind each request before it reaches the roadmap.",
                PerspectiveStatus.Live, 30,
                new SeedConversation("Tomás Rivera", 2, "Asked for CSV export; the real need is a weekly report for his finance team, which a scheduled email would cover.",
                    "Agent: You asked for CSV export. What would you do with the file?",
                    "Tomás: Paste it into the weekly finance report. Every Monday.",
                    "Agent: Would a scheduled summary email do the same job?",
                    "Tomás: If it had the totals per project, yes, even better."),
                new SeedConversation("Aiko Tanaka", 9, "Wants keyboard shortcuts for triage; reviews 200+ items a day and the mouse slows her down.",
                    "Agent: Walk me through a typical triage session.",
                    "Aiko: Two hundred items before lunch. Open, tag, assign, next. Every click adds up.")),
            new("Churned customer exit interviews",
                "Short conversations with accounts that cancelled in the last quarter about why they left and what would bring them back.",
                PerspectiveStatus.Live, 45,
                new SeedConversation("Jordan Blake", 12, "Left because reporting lacked per-client breakdowns; would return if agencies could separate clients.",
                    "Agent: What made you decide to cancel?",
                    "Jordan: We're an agency. I couldn't show one client their numbers without showing everyone's.")),
        ],
        ["globex-strategy"] =
        [
            new("Competitor switching stories",
                "Confidential interviews with accounts that moved to us from a competitor: what triggered the switch and what almost stopped it.",
                PerspectiveStatus.Live, 14,
                new SeedConversation("Dana Kowalski", 5, "Switched after the previous vendor's price increase; migration fears nearly stopped the move.",
                    "Agent: What made you start looking for another tool?",
                    "Dana: A forty percent price increase with two weeks' notice.",
                    "Agent: What almost stopped you from switching?",
                    "Dana: Fear of losing three years of history in the migration.")),
        ],
    };

    /// <summary>Seeds the workspaces (by slug) that have no perspectives yet; returns how many perspectives it created.</summary>
    public async Task<int> SeedAsync(IReadOnlyDictionary<string, Guid> workspaceIdsBySlug, CancellationToken cancellationToken = default)
    {
        var now = clock.UtcNowForStorage();
        var created = 0;
        foreach (var (slug, perspectives) in Content)
        {
            if (!workspaceIdsBySlug.TryGetValue(slug, out var workspaceId) ||
                await db.Perspectives.AnyAsync(p => p.WorkspaceId == workspaceId, cancellationToken))
            {
                continue;
            }

            foreach (var seed in perspectives)
            {
                var perspective = new PerspectiveAgent
                {
                    Id = Guid.CreateVersion7().ToString("N"),
                    WorkspaceId = workspaceId,
                    Title = seed.Title,
                    Description = seed.Description,
                    Status = seed.Status,
                    CreateTime = now.AddDays(-seed.DaysAgo),
                };
                db.Perspectives.Add(perspective);
                db.Conversations.AddRange(seed.Conversations.Select(c => new Conversation
                {
                    Id = Guid.CreateVersion7().ToString("N"),
                    PerspectiveId = perspective.Id,
                    WorkspaceId = workspaceId,
                    Participant = c.Participant,
                    StartTime = now.AddDays(-c.DaysAgo),
                    Transcript = string.Join('\n', c.Lines),
                    Summary = c.Summary,
                }));
                created++;
            }
        }

        await db.SaveChangesAsync(cancellationToken);
        return created;
    }
}
