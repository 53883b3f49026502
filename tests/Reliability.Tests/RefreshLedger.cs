using Npgsql;

namespace Reliability.Tests;

/// <summary>
/// One session (refresh-token family) as the database holds it. Consistent: every consumed token has its successor
/// stored in the family; exactly one token starts the chain (the sign-in's); a session that was not revoked has
/// exactly one live token. "Old consumed and new stored, or neither" — a half-done rotation would show as a consumed
/// token without successor, or as two live tokens.
/// </summary>
public sealed record FamilyState(Guid Id, bool Revoked, int Tokens, int Live, int ConsumedWithoutSuccessor, int ChainStarts, byte[]? LiveHash)
{
    public bool IsConsistent => ConsumedWithoutSuccessor == 0 && ChainStarts == 1 && Live <= 1 && (Revoked || Live == 1);

    public bool IsLive(TokenPair pair) => !Revoked && Live == 1 && LiveHash!.AsSpan().SequenceEqual(pair.RefreshHash);
}

/// <summary>Reads every session's state straight from the token services' database.</summary>
public static class RefreshLedger
{
    private const string Query = """
        SELECT f."Id",
               f."RevokedAt" IS NOT NULL,
               (SELECT count(*) FROM refresh_tokens t WHERE t."FamilyId" = f."Id"),
               (SELECT count(*) FROM refresh_tokens t WHERE t."FamilyId" = f."Id" AND t."ConsumedAt" IS NULL),
               (SELECT count(*) FROM refresh_tokens t WHERE t."FamilyId" = f."Id" AND t."ConsumedAt" IS NOT NULL
                   AND NOT EXISTS (SELECT 1 FROM refresh_tokens s WHERE s."Id" = t."SuccessorId" AND s."FamilyId" = f."Id")),
               (SELECT count(*) FROM refresh_tokens t WHERE t."FamilyId" = f."Id"
                   AND NOT EXISTS (SELECT 1 FROM refresh_tokens p WHERE p."SuccessorId" = t."Id")),
               (SELECT t."TokenHash" FROM refresh_tokens t WHERE t."FamilyId" = f."Id" AND t."ConsumedAt" IS NULL LIMIT 1)
        FROM refresh_token_families f
        WHERE f."Id" = ANY(@families)
        """;

    public static async Task<IReadOnlyDictionary<Guid, FamilyState>> ReadAsync(string connectionString, IEnumerable<Guid> families)
    {
        // Unpooled: the database may have restarted since the last check.
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync().ConfigureAwait(false);
        await using var command = new NpgsqlCommand(Query, connection);
        command.Parameters.AddWithValue("families", families.ToArray());
        var states = new Dictionary<Guid, FamilyState>();
        await using var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
        while (await reader.ReadAsync().ConfigureAwait(false))
        {
            var state = new FamilyState(
                reader.GetGuid(0), reader.GetBoolean(1), (int)reader.GetInt64(2), (int)reader.GetInt64(3), (int)reader.GetInt64(4),
                (int)reader.GetInt64(5), reader.IsDBNull(6) ? null : (byte[])reader[6]);
            states[state.Id] = state;
        }

        return states;
    }
}
