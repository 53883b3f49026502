namespace TokenService.Accounts;

public sealed class Role
{
    public Guid Id { get; set; }

    /// <summary>Lower-case letters, digits and <c>. - _</c> (see <c>AdminNames</c>); unique; the <c>roles</c> claim carries it.</summary>
    public required string Name { get; set; }

    /// <summary>What the role is for, for operators; never in tokens.</summary>
    public string? Description { get; set; }

    /// <summary>New users (sign-up, and admin-created users for whom no roles are named) get every default role. Default <c>false</c>.</summary>
    public bool IsDefault { get; set; }

    public ICollection<Permission> Permissions { get; } = [];

    public ICollection<User> Users { get; } = [];
}
