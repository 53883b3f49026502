using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace TokenService.Accounts;

/// <summary>
/// A lockout count that belongs to no account. A failed sign-in for a user name nobody has counts against one of
/// <see cref="Count"/> of these (picked by the name), with the same UPDATE a known user's failure runs on the user's
/// row, so an unknown user's failure writes one row too and costs the same database work (a statement that changes
/// no row commits without writing). Nothing ever reads these counts to decide anything.
/// </summary>
public sealed class SignInDecoy : ILockoutCounter
{
    /// <summary>Rows in the table (seeded by the migration): repeated guesses at one unknown name meet on one row, as they would on a user's.</summary>
    public const int Count = 64;

    public int Id { get; set; }

    public int FailedLoginCount { get; set; }

    public DateTimeOffset? LockoutEndsAt { get; set; }

    /// <summary>The row that counts failures for <paramref name="normalizedUserName"/>.</summary>
    public static int For(string normalizedUserName)
    {
        ArgumentNullException.ThrowIfNull(normalizedUserName);
        return (int)(BinaryPrimitives.ReadUInt32LittleEndian(SHA256.HashData(Encoding.UTF8.GetBytes(normalizedUserName))) % Count);
    }
}
