using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace TokenService.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class RefreshTokenRotationChecks : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // No schema change: refresh_tokens."ConsumedAt" and refresh_token_families."RevokedAt" became concurrency
            // tokens in the model (a rotation's UPDATEs check them), which only changes the SQL EF Core writes.
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // Nothing to undo in the schema (see Up).
        }
    }
}
