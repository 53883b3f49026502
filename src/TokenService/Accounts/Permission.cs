namespace TokenService.Accounts;

/// <summary>A named right such as <c>orders:read</c>; users get permissions only through roles.</summary>
public sealed class Permission
{
    public Guid Id { get; set; }

    public required string Name { get; set; }

    public ICollection<Role> Roles { get; } = [];
}
