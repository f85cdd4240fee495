using Perspective.Activity.Storage;
using Perspective.Platform.Storage;
using Perspective.Platform.Text;

namespace Perspective.Activity.Recording;

/// <summary>What a tool call that changed data is recorded with. Never a token: the credential is named by kind and id.</summary>
public sealed record ToolCallRecord(
    ActivityCredential Credential, string UserId, string Tool, Guid WorkspaceId, string? ObjectId, string Client, string Address);

/// <summary>Records a tool call that changed data as it happens: one insert, before the call is answered.</summary>
public sealed class ToolCallRecorder(ActivityDataContext db, TimeProvider clock)
{
    public async Task RecordAsync(ToolCallRecord call, CancellationToken cancellationToken)
    {
        db.ToolCalls.Add(new RecordedToolCall
        {
            Id = Guid.CreateVersion7().ToString("N"),
            UserId = call.UserId,
            CredentialKind = call.Credential.Kind,
            CredentialId = call.Credential.Id,
            Tool = call.Tool,
            WorkspaceId = call.WorkspaceId,
            ObjectId = string.IsNullOrEmpty(call.ObjectId) ? null : DisplayNameRules.Visible(call.ObjectId, 100),
            Time = clock.UtcNowForStorage(),
            Client = DisplayNameRules.Visible(call.Client, RecordedToolCall.ClientMaxLength),
            Address = DisplayNameRules.Visible(call.Address, 64),
        });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        finally
        {
            db.ChangeTracker.Clear();
        }
    }
}
