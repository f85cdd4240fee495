using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Perspective.Identity.Storage.Migrations
{
    /// <inheritdoc />
    public partial class OAuthGrantLifecycle : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "OAuthGrantRevocations",
                columns: table => new
                {
                    AuthorizationId = table.Column<string>(type: "TEXT", nullable: false),
                    UserId = table.Column<string>(type: "TEXT", maxLength: 400, nullable: false),
                    Reason = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    RevokeTime = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_OAuthGrantRevocations", x => x.AuthorizationId);
                    table.ForeignKey(
                        name: "FK_OAuthGrantRevocations_OpenIddictAuthorizations_AuthorizationId",
                        column: x => x.AuthorizationId,
                        principalTable: "OpenIddictAuthorizations",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            // One grant per app and user: older duplicates are revoked before the unique index is created.
            migrationBuilder.Sql(OneGrantPerClientMigration.RevokeOlderDuplicatesSql);

            migrationBuilder.CreateIndex(
                name: "IX_OpenIddictAuthorizations_OneGrantPerClient",
                table: "OpenIddictAuthorizations",
                columns: new[] { "ApplicationId", "Subject" },
                unique: true,
                filter: "\"Status\" = 'valid' AND \"Type\" = 'permanent'");

            migrationBuilder.CreateIndex(
                name: "IX_OAuthGrantRevocations_UserId_RevokeTime",
                table: "OAuthGrantRevocations",
                columns: new[] { "UserId", "RevokeTime" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "OAuthGrantRevocations");

            migrationBuilder.DropIndex(
                name: "IX_OpenIddictAuthorizations_OneGrantPerClient",
                table: "OpenIddictAuthorizations");
        }
    }
}
