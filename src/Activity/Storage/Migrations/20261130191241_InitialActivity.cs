using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Perspective.Activity.Storage.Migrations
{
    /// <inheritdoc />
    public partial class InitialActivity : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "ActivityDailyReads",
                columns: table => new
                {
                    CredentialKind = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    CredentialId = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Tool = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Day = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    UserId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Count = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ActivityDailyReads", x => new { x.CredentialKind, x.CredentialId, x.Tool, x.Day });
                });

            migrationBuilder.CreateTable(
                name: "ActivityToolCalls",
                columns: table => new
                {
                    Id = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    UserId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    CredentialKind = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    CredentialId = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Tool = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    WorkspaceId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ObjectId = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    Time = table.Column<DateTime>(type: "TEXT", nullable: false),
                    Client = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Address = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ActivityToolCalls", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ActivityToolCalls_CredentialKind_CredentialId_Time_Id",
                table: "ActivityToolCalls",
                columns: new[] { "CredentialKind", "CredentialId", "Time", "Id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ActivityDailyReads");

            migrationBuilder.DropTable(
                name: "ActivityToolCalls");
        }
    }
}
