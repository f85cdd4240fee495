using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Perspective.Keys.Storage.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class KeyAccessExpiryAndLastClient : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "Access",
                table: "McpKeys",
                type: "integer",
                nullable: false,
                // Keys made before access levels existed could do everything: they stay read & write (KeyAccess.ReadWrite).
                defaultValue: 2);

            migrationBuilder.AddColumn<DateTime>(
                name: "ExpireTime",
                table: "McpKeys",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "LastUsedAddress",
                table: "McpKeys",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "LastUsedClient",
                table: "McpKeys",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "LastUsedAddress",
                table: "LegacyTokens",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "LastUsedClient",
                table: "LegacyTokens",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "Access",
                table: "McpKeys");

            migrationBuilder.DropColumn(
                name: "ExpireTime",
                table: "McpKeys");

            migrationBuilder.DropColumn(
                name: "LastUsedAddress",
                table: "McpKeys");

            migrationBuilder.DropColumn(
                name: "LastUsedClient",
                table: "McpKeys");

            migrationBuilder.DropColumn(
                name: "LastUsedAddress",
                table: "LegacyTokens");

            migrationBuilder.DropColumn(
                name: "LastUsedClient",
                table: "LegacyTokens");
        }
    }
}
