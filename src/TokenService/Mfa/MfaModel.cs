using Microsoft.EntityFrameworkCore;
using TokenService.Accounts;

namespace TokenService.Mfa;

/// <summary>The MFA tables: <c>user_mfa</c>, <c>mfa_recovery_codes</c>, <c>mfa_challenges</c>.</summary>
internal static class MfaModel
{
    public static void Configure(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<User>().Ignore(u => u.HasMfa);

        modelBuilder.Entity<UserMfa>(mfa =>
        {
            mfa.ToTable("user_mfa");
            mfa.HasKey(m => m.UserId);
            mfa.Property(m => m.SealedSecret).HasMaxLength(64);
            mfa.HasOne<User>().WithOne(u => u.Mfa).HasForeignKey<UserMfa>(m => m.UserId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<MfaRecoveryCode>(code =>
        {
            code.ToTable("mfa_recovery_codes");
            code.HasKey(c => c.Id);
            code.Property(c => c.CodeHash).HasMaxLength(32);
            code.HasIndex(c => new { c.UserId, c.CodeHash });
            code.HasOne<User>().WithMany().HasForeignKey(c => c.UserId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<MfaChallenge>(challenge =>
        {
            challenge.ToTable("mfa_challenges");
            challenge.HasKey(c => c.Id);
            challenge.Property(c => c.TokenHash).HasMaxLength(32);
            challenge.HasIndex(c => c.TokenHash).IsUnique();
            challenge.HasIndex(c => c.ExpiresAt);
            challenge.Property(c => c.ClientId).HasMaxLength(128);
            challenge.HasOne<User>().WithMany().HasForeignKey(c => c.UserId).OnDelete(DeleteBehavior.Cascade);
        });
    }
}
