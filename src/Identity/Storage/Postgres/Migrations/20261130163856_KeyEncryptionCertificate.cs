using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Perspective.Identity.Storage.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class KeyEncryptionCertificate : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "EncryptedWithCertificate",
                table: "OAuthServerKeys",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "EncryptedWithCertificate",
                table: "OAuthServerKeys");
        }
    }
}
