namespace Perspective.Identity.Storage;

/// <summary>
/// What the OAuthGrantLifecycle migrations (SQLite and PostgreSQL) run before they create the unique
/// index <see cref="IdentityDataContext.OneGrantPerClientIndex"/>: where a user had connected the same
/// app more than once, only the newest grant stays valid; the older ones are revoked (without a
/// <see cref="OAuth.GrantRevocation"/> row: they are merged, not disconnected). Plain SQL both providers read alike.
/// </summary>
public static class OneGrantPerClientMigration
{
    public const string RevokeOlderDuplicatesSql = """
        UPDATE "OpenIddictAuthorizations" SET "Status" = 'revoked'
        WHERE "Status" = 'valid' AND "Type" = 'permanent' AND "Subject" IS NOT NULL AND "ApplicationId" IS NOT NULL
          AND EXISTS (
            SELECT 1 FROM "OpenIddictAuthorizations" AS newer
            WHERE newer."ApplicationId" = "OpenIddictAuthorizations"."ApplicationId"
              AND newer."Subject" = "OpenIddictAuthorizations"."Subject"
              AND newer."Status" = 'valid' AND newer."Type" = 'permanent'
              AND newer."Id" <> "OpenIddictAuthorizations"."Id"
              AND (newer."CreationDate" > "OpenIddictAuthorizations"."CreationDate"
                   OR (newer."CreationDate" = "OpenIddictAuthorizations"."CreationDate" AND newer."Id" > "OpenIddictAuthorizations"."Id")
                   OR ("OpenIddictAuthorizations"."CreationDate" IS NULL AND (newer."CreationDate" IS NOT NULL OR newer."Id" > "OpenIddictAuthorizations"."Id"))));
        """;
}
