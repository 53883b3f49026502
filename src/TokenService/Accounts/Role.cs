namespace TokenService.Accounts;

public sealed class Role
{
    public Guid Id { get; set; }

    public required string Name { get; set; }

    public ICollection<Permission> Permissions { get; } = [];

    public ICollection<User> Users { get; } = [];
}
