using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Perspective.Keys.Storage.Migrations
{
    /// <inheritdoc />
    public partial class KeyLookupReadsMemberships : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {

        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {

        }
    }
}
