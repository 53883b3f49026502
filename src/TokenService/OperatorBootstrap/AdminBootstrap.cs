using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using TokenService.Accounts;
using TokenService.Administration;
using TokenService.Audit;
using TokenService.Clients;
using TokenService.Data;
using TokenService.IdentityApi;
using TokenService.Keys;
using TokenService.Passwords;

namespace TokenService.OperatorBootstrap;

/// <summary>
/// Makes a fresh store administrable: ensures the role <c>admin</c> with <see cref="Permissions"/>, the operator
/// of <see cref="BootstrapAdminOptions"/> holding it, and the public client <see cref="ClientId"/> the operator signs
/// in with (password grant, <c>identity-api</c> audience only), in one transaction, audited as <c>bootstrap-admin</c>.
/// Idempotent: a second run with the same settings changes nothing. A role <c>admin</c> that lacks one of the
/// permissions gets it back. An existing user of that name is only given the role when the configured password is
/// theirs and the account is enabled; otherwise nothing is changed and the run fails, so the command can never take
/// over or re-enable somebody else's account (reset its password through the admin API instead).
/// </summary>
internal sealed partial class AdminBootstrap(
    TokenDbContext database,
    Argon2idPasswordHasher hasher,
    PasswordPolicy policy,
    AuditLog audit,
    TimeProvider time,
    IOptions<BootstrapAdminOptions> options,
    ILogger<AdminBootstrap> logger)
{
    public const string RoleName = "admin";

    /// <summary>A public client for operators' password sign-in to the token service's own API; left as it is if it exists.</summary>
    public const string ClientId = "admin-cli";

    /// <summary>Everything the admin API and the key endpoints need.</summary>
    public static readonly string[] Permissions =
    [
        AdminUsersEndpoints.Permission, AdminRolesEndpoints.Permission, AdminClientsEndpoints.Permission,
        AuditQueryEndpoints.Permission, KeyAdministrationEndpoints.Permission,
    ];

    private const string Actor = "by bootstrap-admin";

    /// <summary>True when the operator exists with the role afterwards; false (and nothing changed) when refused.</summary>
    public async Task<bool> RunAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var userName = UserNameRules.Clean(settings.UserName, out var nameProblem);
        var problems = nameProblem is null ? policy.Check(settings.Password, userName) : [nameProblem];
        if (problems.Count > 0)
        {
            LogRefused(logger, string.Join(" ", problems));
            return false;
        }

        await using var transaction = await database.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var role = await EnsureRoleAsync(cancellationToken).ConfigureAwait(false);
        if (!await database.Clients.AnyAsync(c => c.ClientId == ClientId, cancellationToken).ConfigureAwait(false))
        {
            database.Clients.Add(new Client
            {
                ClientId = ClientId, DisplayName = "Operators' sign-in to the admin API",
                AllowedGrantTypes = ["password", "refresh_token"], AllowedAudiences = [IdentityApiAuthentication.Audience],
            });
            audit.Record(AuditEventTypes.ClientCreated, clientId: ClientId, detail: $"client {ClientId} {Actor}");
        }

        var normalized = UserNames.Normalize(userName!);
        var user = await database.Users.Include(u => u.Roles).SingleOrDefaultAsync(u => u.NormalizedUserName == normalized, cancellationToken).ConfigureAwait(false);
        if (user is null)
        {
            user = new User
            {
                Id = Guid.NewGuid(),
                UserName = userName!,
                NormalizedUserName = normalized,
                PasswordHash = hasher.Hash(settings.Password),
                CreatedAt = time.GetUtcNow(),
            };
            database.Users.Add(user);
            audit.Record(AuditEventTypes.UserCreated, user.Id, detail: Actor);
        }
        else if (Refusal(user, settings.Password) is { } refusal)
        {
            await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
            database.ChangeTracker.Clear();
            audit.Record(AuditEventTypes.BootstrapAdminRefused, user.Id, detail: refusal);
            await database.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            LogRefused(logger, $"the user exists and {refusal}; nothing was changed.");
            return false;
        }

        if (AdminNames.SetMember(user.Roles, role, member: true))
        {
            audit.Record(AuditEventTypes.RoleAssigned, user.Id, detail: $"{role.Name} {Actor}");
        }

        var changes = await database.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        LogDone(logger, user.Id, changes);
        return true;
    }

    private async Task<Role> EnsureRoleAsync(CancellationToken cancellationToken)
    {
        var permissions = await database.Permissions.Where(p => Permissions.Contains(p.Name)).ToListAsync(cancellationToken).ConfigureAwait(false);
        foreach (var name in Permissions.Except(permissions.Select(p => p.Name), StringComparer.Ordinal))
        {
            var permission = new Permission { Id = Guid.NewGuid(), Name = name };
            database.Permissions.Add(permission);
            permissions.Add(permission);
            audit.Record(AuditEventTypes.PermissionCreated, detail: $"permission {name} {Actor}");
        }

        var role = await database.Roles.Include(r => r.Permissions).SingleOrDefaultAsync(r => r.Name == RoleName, cancellationToken).ConfigureAwait(false);
        if (role is null)
        {
            role = new Role { Id = Guid.NewGuid(), Name = RoleName, Description = "Operators: users, roles, clients, signing keys and the audit log." };
            database.Roles.Add(role);
            audit.Record(AuditEventTypes.RoleCreated, detail: $"role {RoleName} {Actor}");
        }

        foreach (var permission in permissions)
        {
            if (AdminNames.SetMember(role.Permissions, permission, member: true))
            {
                audit.Record(AuditEventTypes.PermissionGranted, detail: $"role {RoleName} permission {permission.Name} {Actor}");
            }
        }

        return role;
    }

    /// <summary>Why an existing user is not made the operator, or null when the configured password is theirs and they may sign in.</summary>
    private string? Refusal(User user, string password) =>
        user.IsDisabled ? "is disabled"
        : user.ConfirmationTokenHash is not null ? "is an unconfirmed sign-up"
        : hasher.Verify(user.PasswordHash, password) == PasswordVerificationResult.Failed ? "has another password"
        : null;

    [LoggerMessage(EventId = 5101, Level = LogLevel.Error, Message = "bootstrap-admin refused: {Reason}")]
    private static partial void LogRefused(ILogger logger, string reason);

    [LoggerMessage(EventId = 5102, Level = LogLevel.Warning, Message = "bootstrap-admin: operator {UserId} holds the role admin ({Changes} rows written).")]
    private static partial void LogDone(ILogger logger, Guid userId, int changes);
}
