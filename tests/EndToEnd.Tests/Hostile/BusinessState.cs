using System.Globalization;
using Npgsql;

namespace EndToEnd.Tests.Hostile;

/// <summary>
/// The token service's business tables as text, to compare before and after: users, roles, permissions and their
/// links, clients, signing keys, sessions and refresh tokens, outbox messages. Not counted as state: the audit log
/// (a refused sign-in is recorded by design) and a user's failed-sign-in counter and lockout end (a wrong password
/// counts towards lockout by design).
/// </summary>
public static class BusinessState
{
    private static readonly string[] Tables =
        ["users", "roles", "permissions", "user_roles", "role_permissions", "clients", "signing_keys", "refresh_token_families", "refresh_tokens", "outbox_messages"];

    private static readonly string[] NotState = ["FailedLoginCount", "LockoutEndsAt"];

    public static async Task<Dictionary<string, List<string>>> ReadAsync(string connectionString)
    {
        var state = new Dictionary<string, List<string>>();
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        foreach (var table in Tables)
        {
            await using var command = new NpgsqlCommand($"SELECT * FROM \"{table}\"", connection);
            await using var reader = await command.ExecuteReaderAsync();
            var rows = new List<string>();
            while (await reader.ReadAsync())
            {
                rows.Add(string.Join('|', Enumerable.Range(0, reader.FieldCount)
                    .Where(i => !NotState.Contains(reader.GetName(i)))
                    .Select(i => $"{reader.GetName(i)}={Text(reader.GetValue(i))}")));
            }

            rows.Sort(StringComparer.Ordinal);
            state[table] = rows;
        }

        return state;
    }

    private static string Text(object value) => value switch
    {
        byte[] bytes => Convert.ToHexString(bytes),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
