using Microsoft.EntityFrameworkCore;

namespace TokenService.Accounts;

/// <summary>A user as an access token describes them: id, roles and the permissions those roles grant.</summary>
public sealed record AuthenticatedUser(Guid Id, IReadOnlyList<string> Roles, IReadOnlyList<string> Permissions)
{
    /// <summary>Needs the user loaded with <see cref="UserQueries.WithRights"/>.</summary>
    public static AuthenticatedUser From(User user)
    {
        ArgumentNullException.ThrowIfNull(user);
        var roles = user.Roles.Select(r => r.Name).Order(StringComparer.Ordinal).ToArray();
        var permissions = user.Roles.SelectMany(r => r.Permissions).Select(p => p.Name)
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        return new AuthenticatedUser(user.Id, roles, permissions);
    }
}

public static class UserQueries
{
    /// <summary>Users with their roles and the roles' permissions, as tokens need them.</summary>
    public static IQueryable<User> WithRights(this IQueryable<User> users) =>
        users.Include(u => u.Roles).ThenInclude(r => r.Permissions);
}
