using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

#pragma warning disable CA1814 // Prefer jagged arrays over multidimensional

namespace TokenService.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class SignInDecoys : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "sign_in_decoys",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false),
                    FailedLoginCount = table.Column<int>(type: "integer", nullable: false),
                    LockoutEndsAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_sign_in_decoys", x => x.Id);
                });

            migrationBuilder.InsertData(
                table: "sign_in_decoys",
                columns: new[] { "Id", "FailedLoginCount", "LockoutEndsAt" },
                values: new object[,]
                {
                    { 0, 0, null },
                    { 1, 0, null },
                    { 2, 0, null },
                    { 3, 0, null },
                    { 4, 0, null },
                    { 5, 0, null },
                    { 6, 0, null },
                    { 7, 0, null },
                    { 8, 0, null },
                    { 9, 0, null },
                    { 10, 0, null },
                    { 11, 0, null },
                    { 12, 0, null },
                    { 13, 0, null },
                    { 14, 0, null },
                    { 15, 0, null },
                    { 16, 0, null },
                    { 17, 0, null },
                    { 18, 0, null },
                    { 19, 0, null },
                    { 20, 0, null },
                    { 21, 0, null },
                    { 22, 0, null },
                    { 23, 0, null },
                    { 24, 0, null },
                    { 25, 0, null },
                    { 26, 0, null },
                    { 27, 0, null },
                    { 28, 0, null },
                    { 29, 0, null },
                    { 30, 0, null },
                    { 31, 0, null },
                    { 32, 0, null },
                    { 33, 0, null },
                    { 34, 0, null },
                    { 35, 0, null },
                    { 36, 0, null },
                    { 37, 0, null },
                    { 38, 0, null },
                    { 39, 0, null },
                    { 40, 0, null },
                    { 41, 0, null },
                    { 42, 0, null },
                    { 43, 0, null },
                    { 44, 0, null },
                    { 45, 0, null },
                    { 46, 0, null },
                    { 47, 0, null },
                    { 48, 0, null },
                    { 49, 0, null },
                    { 50, 0, null },
                    { 51, 0, null },
                    { 52, 0, null },
                    { 53, 0, null },
                    { 54, 0, null },
                    { 55, 0, null },
                    { 56, 0, null },
                    { 57, 0, null },
                    { 58, 0, null },
                    { 59, 0, null },
                    { 60, 0, null },
                    { 61, 0, null },
                    { 62, 0, null },
                    { 63, 0, null }
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "sign_in_decoys");
        }
    }
}
