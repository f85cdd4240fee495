using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Perspective.McpHost.Admin.Migrations
{
    /// <inheritdoc />
    public partial class AuditOutcome : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Outcome",
                table: "AuditEvents",
                type: "TEXT",
                maxLength: 32,
                nullable: false,
                defaultValue: "OK");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "Outcome",
                table: "AuditEvents");
        }
    }
}
