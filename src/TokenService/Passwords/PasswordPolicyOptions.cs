namespace TokenService.Passwords;

/// <summary>Rules for new passwords (sign-up, change, reset), bound from <c>Passwords:Policy</c>.</summary>
public sealed class PasswordPolicyOptions
{
    public const string SectionName = "Passwords:Policy";

    /// <summary>Shortest password, in Unicode characters. Default 12; at least 8.</summary>
    public int MinimumLength { get; set; } = 12;

    /// <summary>Longest password, in Unicode characters (bounds hashing work per request). Default 128; at most 256.</summary>
    public int MaximumLength { get; set; } = 128;
}
