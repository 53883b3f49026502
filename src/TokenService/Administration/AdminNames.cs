using System.Security.Claims;
using System.Text.RegularExpressions;
using ServiceDefaults.Authorization;
using TokenService.Audit;
using TokenService.IdentityApi;

namespace TokenService.Administration;

/// <summary>
/// What the names an operator chooses may look like — all ASCII, so nothing invisible, confusable or
/// direction-changing can reach a token claim or a route — and the admin API's shared ways of naming the operator,
/// auditing a change and changing a membership.
/// </summary>
internal static partial class AdminNames
{
    public const string RoleNameRule = "A role name is 1 to 64 characters: lower-case letters, digits and . - _, starting with a letter.";
    public const string PermissionNameRule =
        "A permission name is resource:action, each part 1 to 63 characters: lower-case letters, digits and . - _, starting with a letter.";
    public const string ClientIdRule = "A client id is 3 to 128 characters: letters, digits and . - _, starting with a letter or digit.";

    /// <summary>RFC 6749 §3.3 scope-token (printable ASCII except space, <c>"</c> and <c>\</c>), at most 128 characters.</summary>
    public const string ScopeRule = "A scope is 1 to 128 printable ASCII characters, without spaces, quotes or backslashes.";
    public const string AudienceRule = "An audience is 1 to 128 printable ASCII characters, without spaces, quotes or backslashes.";

    public static bool IsRoleName(string? name) => name is not null && RoleName().IsMatch(name);

    public static bool IsPermissionName(string? name) => name is not null && PermissionName().IsMatch(name);

    public static bool IsClientId(string? id) => id is not null && ClientId().IsMatch(id);

    /// <summary>Scope tokens and audiences share the RFC 6749 §3.3 character set.</summary>
    public static bool IsScopeToken(string? value) => value is not null && ScopeToken().IsMatch(value);

    /// <summary>The acting operator as audit details name them.</summary>
    public static string By(ClaimsPrincipal actor) => $"by {actor.FindFirstValue(AccessTokenClaims.Subject)}";

    /// <summary>
    /// Audits an operator's change to roles, permissions or clients: the operator is the entry's user (so
    /// <c>/admin/audit?userId=</c> lists what they did), the target and change are its detail, never a secret.
    /// </summary>
    public static void RecordChange(this AuditLog audit, string type, ClaimsPrincipal actor, string change, string? clientId = null) =>
        audit.Record(type, actor.UserId(), clientId, detail: $"{change} {By(actor)}");

    /// <summary>Adds or removes <paramref name="item"/> (a role of a user, a permission of a role); false when nothing changed, so idempotent calls audit nothing.</summary>
    public static bool SetMember<T>(ICollection<T> members, T item, bool member)
    {
        if (!member)
        {
            return members.Remove(item);
        }

        if (members.Contains(item))
        {
            return false;
        }

        members.Add(item);
        return true;
    }

    [GeneratedRegex(@"\A[a-z][a-z0-9._-]{0,63}\z", RegexOptions.CultureInvariant)]
    private static partial Regex RoleName();

    [GeneratedRegex(@"\A[a-z][a-z0-9._-]{0,62}:[a-z][a-z0-9._-]{0,62}\z", RegexOptions.CultureInvariant)]
    private static partial Regex PermissionName();

    [GeneratedRegex(@"\A[A-Za-z0-9][A-Za-z0-9._-]{2,127}\z", RegexOptions.CultureInvariant)]
    private static partial Regex ClientId();

    [GeneratedRegex(@"\A[\x21\x23-\x5B\x5D-\x7E]{1,128}\z", RegexOptions.CultureInvariant)]
    private static partial Regex ScopeToken();
}
