using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;
using Npgsql;

/// <summary>
/// The SQL of a refresh grant, statement for statement and round trip for round trip as the token service sends it
/// (compare with the statements Issuance prints from PostgreSQL's log), replayed directly with Npgsql: on one pooled
/// connection the token and user reads and the rotation's one statement (data-modifying CTEs, each acting only if the
/// one before returned its row). The client's record comes from the service's cache (<c>Clients:CacheLifetime</c>),
/// read once in 5 s, so it is not replayed; a client_credentials grant runs no SQL at all. Each refresh worker rotates
/// its own session, started by a real sign-in, so every statement touches real rows; no signing, no sealing, no HTTP.
/// </summary>
internal sealed class GrantSql
{
    private const string AppClient = "mobile-app";

    private const string TokenWithFamily =
        """
        SELECT r."Id", r."ConsumedAt", r."CreatedAt", r."ExpiresAt", r."FamilyId", r."GraceResponse", r."SuccessorId", r."TokenHash", r0."Id", r0."Audiences", r0."AuthenticationMethods", r0."ClientId", r0."CreatedAt", r0."IpAddress", r0."LastUsedAt", r0."RevokedAt", r0."RevokedReason", r0."Scopes", r0."UserAgent", r0."UserId"
        FROM refresh_tokens AS r
        INNER JOIN refresh_token_families AS r0 ON r."FamilyId" = r0."Id"
        WHERE r."TokenHash" = $1
        LIMIT 1
        """;

    private const string UserWithRights =
        """
        SELECT u1."Id", u1."ConfirmationExpiresAt", u1."ConfirmationTokenHash", u1."CreatedAt", u1."Email", u1."FailedLoginCount", u1."IsDisabled", u1."LockoutEndsAt", u1."NormalizedEmail", u1."NormalizedUserName", u1."PasswordHash", u1."UserName", s0."Id", s0."Description", s0."IsDefault", s0."Name", s0."RolesId", s0."UsersId", s0."Id0", s0."Name0", s0."PermissionsId", s0."RolesId0"
        FROM (
            SELECT u."Id", u."ConfirmationExpiresAt", u."ConfirmationTokenHash", u."CreatedAt", u."Email", u."FailedLoginCount", u."IsDisabled", u."LockoutEndsAt", u."NormalizedEmail", u."NormalizedUserName", u."PasswordHash", u."UserName"
            FROM users AS u
            WHERE u."Id" = $1
            LIMIT 1
        ) AS u1
        LEFT JOIN (
            SELECT r."Id", r."Description", r."IsDefault", r."Name", u0."RolesId", u0."UsersId", s."Id" AS "Id0", s."Name" AS "Name0", s."PermissionsId", s."RolesId" AS "RolesId0"
            FROM user_roles AS u0
            INNER JOIN roles AS r ON u0."RolesId" = r."Id"
            LEFT JOIN (
                SELECT p."Id", p."Name", r0."PermissionsId", r0."RolesId"
                FROM role_permissions AS r0
                INNER JOIN permissions AS p ON r0."PermissionsId" = p."Id"
            ) AS s ON r."Id" = s."RolesId"
        ) AS s0 ON u1."Id" = s0."UsersId"
        ORDER BY u1."Id", s0."RolesId", s0."UsersId", s0."Id", s0."PermissionsId", s0."RolesId0"
        """;

    private const string Rotate =
        """
        WITH touched AS (
            UPDATE refresh_token_families
            SET "LastUsedAt" = $1::timestamptz, "IpAddress" = $2::text, "UserAgent" = $3::text
            WHERE "Id" = $4::uuid AND "RevokedAt" IS NULL
            RETURNING "Id"),
        consumed AS (
            UPDATE refresh_tokens
            SET "ConsumedAt" = $5::timestamptz, "SuccessorId" = $6::uuid, "GraceResponse" = $7::bytea
            WHERE "Id" = $8::uuid AND "ConsumedAt" IS NULL AND EXISTS (SELECT FROM touched)
            RETURNING "Id"),
        stored AS (
            INSERT INTO refresh_tokens ("Id", "FamilyId", "TokenHash", "CreatedAt", "ExpiresAt")
            SELECT $9::uuid, $10::uuid, $11::bytea, $12::timestamptz, $13::timestamptz
            WHERE EXISTS (SELECT FROM consumed)
            RETURNING "Id")
        INSERT INTO audit_events ("OccurredAt", "Type", "UserId", "ClientId", "SessionId", "IpAddress", "UserAgent", "Detail")
        SELECT $14::timestamptz, $15::text, $16::uuid, $17::text,
            $18::uuid, $19::text, $20::text, $21::text
        WHERE EXISTS (SELECT FROM stored)
        """;

    private readonly NpgsqlDataSource _database;
    private readonly byte[][] _current;
    private readonly int _graceResponseBytes;

    private GrantSql(NpgsqlDataSource database, byte[][] current, int graceResponseBytes)
    {
        _database = database;
        _current = current;
        _graceResponseBytes = graceResponseBytes;
    }

    /// <summary>One worker per session (refresh-token values from sign-ins); the sealed grace response as large as the service's.</summary>
    public static async Task<GrantSql> PrepareAsync(NpgsqlDataSource database, string[] sessions)
    {
        await using var command = database.CreateCommand("""SELECT max(length("GraceResponse")) FROM refresh_tokens""");
        var graceResponseBytes = await command.ExecuteScalarAsync() is int bytes ? bytes : 0;
        return new GrantSql(database, [.. sessions.Select(s => SHA256.HashData(Base64UrlEncoder.DecodeBytes(s)))], graceResponseBytes);
    }

    /// <summary>One refresh grant's SQL for the worker's session; false if its token could not be consumed.</summary>
    public async Task<bool> RotateAsync(int worker)
    {
        var now = TimeProvider.System.GetUtcNow();
        var successor = Guid.NewGuid();
        var successorHash = SHA256.HashData(RandomNumberGenerator.GetBytes(32));
        await using var connection = await _database.OpenConnectionAsync();
        Guid tokenId, familyId, userId;
        await using (var token = new NpgsqlCommand(TokenWithFamily, connection))
        {
            AddParameters(token, _current[worker]);
            await using var reader = await token.ExecuteReaderAsync();
            if (!await reader.ReadAsync() || !reader.IsDBNull(1))
            {
                return false;
            }

            ReadRow(reader);
            (tokenId, familyId, userId) = (reader.GetGuid(0), reader.GetGuid(4), reader.GetGuid(19));
        }

        await using (var user = new NpgsqlCommand(UserWithRights, connection))
        {
            AddParameters(user, userId);
            await ReadAllAsync(user);
        }

        await using (var rotate = new NpgsqlCommand(Rotate, connection))
        {
            AddParameters(
                rotate, now, "127.0.0.1", DBNull.Value, familyId,
                now, successor, RandomNumberGenerator.GetBytes(_graceResponseBytes), tokenId,
                successor, familyId, successorHash, now, now.AddDays(7),
                now, "refresh_token_rotated", userId, AppClient, familyId, "127.0.0.1", DBNull.Value, DBNull.Value);
            if (await rotate.ExecuteNonQueryAsync() != 1)
            {
                return false;
            }
        }

        _current[worker] = successorHash;
        return true;
    }

    private static void AddParameters(NpgsqlCommand command, params object[] values)
    {
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }
    }

    private static async Task<int> ReadAllAsync(NpgsqlCommand command)
    {
        await using var reader = await command.ExecuteReaderAsync();
        var rows = 0;
        while (await reader.ReadAsync())
        {
            ReadRow(reader);
            rows++;
        }

        return rows;
    }

    private static void ReadRow(NpgsqlDataReader reader)
    {
        for (var i = 0; i < reader.FieldCount; i++)
        {
            _ = reader.GetValue(i);
        }
    }
}
