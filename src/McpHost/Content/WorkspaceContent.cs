using Microsoft.EntityFrameworkCore;
using Perspective.Platform.Grpc;
using Perspective.Platform.Storage;

namespace Perspective.McpHost.Content;

/// <summary>Perspectives and conversations, always read and written within one workspace.</summary>
public sealed class WorkspaceContent(ContentDataContext db, TimeProvider clock)
{
    public Task<List<PerspectiveAgent>> ListPerspectivesAsync(Guid workspaceId, NewestFirstCursor? after, int limit, CancellationToken cancellationToken)
    {
        var query = db.Perspectives.AsNoTracking().Where(p => p.WorkspaceId == workspaceId);
        if (after is not null)
        {
            query = query.Where(p => p.CreateTime < after.Time || (p.CreateTime == after.Time && string.Compare(p.Id, after.Id) < 0));
        }

        return query.OrderByDescending(p => p.CreateTime).ThenByDescending(p => p.Id).Take(limit).ToListAsync(cancellationToken);
    }

    public Task<PerspectiveAgent?> FindPerspectiveAsync(Guid workspaceId, string perspectiveId, CancellationToken cancellationToken) =>
        db.Perspectives.AsNoTracking().SingleOrDefaultAsync(p => p.WorkspaceId == workspaceId && p.Id == perspectiveId, cancellationToken);

    public Task<int> CountConversationsAsync(Guid workspaceId, string perspectiveId, CancellationToken cancellationToken) =>
        db.Conversations.CountAsync(c => c.WorkspaceId == workspaceId && c.PerspectiveId == perspectiveId, cancellationToken);

    public async Task<PerspectiveAgent> CreatePerspectiveAsync(
        Guid workspaceId, string title, string description, PerspectiveStatus status, CancellationToken cancellationToken)
    {
        var perspective = new PerspectiveAgent
        {
            Id = Guid.CreateVersion7().ToString("N"),
            WorkspaceId = workspaceId,
            Title = title,
            Description = description,
            Status = status,
            CreateTime = clock.UtcNowForStorage(),
        };
        db.Perspectives.Add(perspective);
        await db.SaveChangesAsync(cancellationToken);
        return perspective;
    }

    public Task<List<Conversation>> ListConversationsAsync(
        Guid workspaceId, string perspectiveId, NewestFirstCursor? after, int limit, CancellationToken cancellationToken)
    {
        var query = db.Conversations.AsNoTracking().Where(c => c.WorkspaceId == workspaceId && c.PerspectiveId == perspectiveId);
        if (after is not null)
        {
            query = query.Where(c => c.StartTime < after.Time || (c.StartTime == after.Time && string.Compare(c.Id, after.Id) < 0));
        }

        return query.OrderByDescending(c => c.StartTime).ThenByDescending(c => c.Id).Take(limit).ToListAsync(cancellationToken);
    }

    public Task<Conversation?> FindConversationAsync(Guid workspaceId, string conversationId, CancellationToken cancellationToken) =>
        db.Conversations.AsNoTracking().SingleOrDefaultAsync(c => c.WorkspaceId == workspaceId && c.Id == conversationId, cancellationToken);
}
