using Microsoft.EntityFrameworkCore;
using TokenService.Accounts;
using TokenService.Audit;
using TokenService.Clients;
using TokenService.Keys;
using TokenService.Mfa;
using TokenService.Notifications;
using TokenService.RefreshTokens;

namespace TokenService.Data;

/// <summary>
/// The token service's store. Provider-specific subclasses (<see cref="PostgresTokenDbContext"/>,
/// <see cref="SqliteTokenDbContext"/>) exist only so each provider keeps its own migrations.
/// </summary>
public abstract class TokenDbContext(DbContextOptions options) : DbContext(options)
{
    public DbSet<User> Users => Set<User>();

    public DbSet<FamiliarSignInSource> FamiliarSignInSources => Set<FamiliarSignInSource>();

    public DbSet<SignInAttempt> SignInAttempts => Set<SignInAttempt>();

    public DbSet<SignInDecoy> SignInDecoys => Set<SignInDecoy>();

    public DbSet<Role> Roles => Set<Role>();

    public DbSet<Permission> Permissions => Set<Permission>();

    public DbSet<Client> Clients => Set<Client>();

    public DbSet<SigningKey> SigningKeys => Set<SigningKey>();

    public DbSet<RefreshTokenFamily> RefreshTokenFamilies => Set<RefreshTokenFamily>();

    public DbSet<RefreshToken> RefreshTokens => Set<RefreshToken>();

    public DbSet<AuditEvent> AuditEvents => Set<AuditEvent>();

    public DbSet<OutboxMessage> OutboxMessages => Set<OutboxMessage>();

    public DbSet<UserMfa> UserMfa => Set<UserMfa>();

    public DbSet<MfaRecoveryCode> MfaRecoveryCodes => Set<MfaRecoveryCode>();

    public DbSet<MfaChallenge> MfaChallenges => Set<MfaChallenge>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);

        modelBuilder.Entity<User>(user =>
        {
            user.ToTable("users");
            user.HasKey(u => u.Id);
            user.Property(u => u.UserName).HasMaxLength(256);
            user.Property(u => u.NormalizedUserName).HasMaxLength(256);
            user.HasIndex(u => u.NormalizedUserName).IsUnique();
            user.Property(u => u.PasswordHash).HasMaxLength(512);
            user.Property(u => u.Email).HasMaxLength(256);
            user.Property(u => u.NormalizedEmail).HasMaxLength(256);
            user.HasIndex(u => u.NormalizedEmail).IsUnique();
            user.Property(u => u.ConfirmationTokenHash).HasMaxLength(32);
            user.HasIndex(u => u.ConfirmationTokenHash).IsUnique();
            user.HasMany(u => u.Roles).WithMany(r => r.Users).UsingEntity("user_roles");
        });

        modelBuilder.Entity<SignInAttempt>(attempt =>
        {
            attempt.ToTable("sign_in_attempts");
            attempt.HasKey(a => a.Id);
            attempt.Property(a => a.KeyHash).HasMaxLength(32);
            attempt.HasIndex(a => new { a.KeyHash, a.At });
            attempt.HasIndex(a => a.At);
        });

        modelBuilder.Entity<FamiliarSignInSource>(source =>
        {
            source.ToTable("familiar_sign_in_sources");
            source.HasKey(s => s.Id);
            source.Property(s => s.Address).HasMaxLength(64);
            source.HasIndex(s => new { s.UserId, s.Address });
            source.HasOne<User>().WithMany().HasForeignKey(s => s.UserId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<SignInDecoy>(decoy =>
        {
            decoy.ToTable("sign_in_decoys");
            decoy.HasKey(d => d.Id);
            decoy.Property(d => d.Id).ValueGeneratedNever();
            decoy.HasData(Enumerable.Range(0, SignInDecoy.Count).Select(id => new SignInDecoy { Id = id }));
        });

        modelBuilder.Entity<Role>(role =>
        {
            role.ToTable("roles");
            role.HasKey(r => r.Id);
            role.Property(r => r.Name).HasMaxLength(128);
            role.HasIndex(r => r.Name).IsUnique();
            role.Property(r => r.Description).HasMaxLength(256);
            role.HasMany(r => r.Permissions).WithMany(p => p.Roles).UsingEntity("role_permissions");
        });

        modelBuilder.Entity<Permission>(permission =>
        {
            permission.ToTable("permissions");
            permission.HasKey(p => p.Id);
            permission.Property(p => p.Name).HasMaxLength(128);
            permission.HasIndex(p => p.Name).IsUnique();
        });

        modelBuilder.Entity<Client>(client =>
        {
            client.ToTable("clients");
            client.HasKey(c => c.ClientId);
            client.Property(c => c.ClientId).HasMaxLength(128);
            client.Property(c => c.DisplayName).HasMaxLength(256);
            client.Ignore(c => c.IsConfidential);
        });

        modelBuilder.Entity<SigningKey>(key =>
        {
            key.ToTable("signing_keys");
            key.HasKey(k => k.KeyId);
            key.Property(k => k.KeyId).HasMaxLength(64);
            key.Property(k => k.Algorithm).HasMaxLength(16);
            key.HasIndex(k => k.ActivatesAt);
            key.HasIndex(k => k.Generation).IsUnique();
        });

        modelBuilder.Entity<RefreshTokenFamily>(family =>
        {
            family.ToTable("refresh_token_families");
            family.HasKey(f => f.Id);
            family.Property(f => f.ClientId).HasMaxLength(128);
            family.Property(f => f.IpAddress).HasMaxLength(64);
            family.Property(f => f.UserAgent).HasMaxLength(256);
            family.Property(f => f.RevokedReason).HasMaxLength(64);

            // A rotation's UPDATE of its family also asks "still not revoked?": a revocation committed after the
            // rotation read the family makes the rotation fail instead of issuing into a revoked session.
            family.Property(f => f.RevokedAt).IsConcurrencyToken();
            family.HasIndex(f => f.UserId);
            family.HasIndex(f => f.CreatedAt);
        });

        modelBuilder.Entity<RefreshToken>(token =>
        {
            token.ToTable("refresh_tokens");
            token.HasKey(t => t.Id);
            token.Property(t => t.TokenHash).HasMaxLength(32);

            // Single use: consuming a token is UPDATE ... WHERE "Id" = @id AND "ConsumedAt" IS NULL, so of two
            // rotations of one token exactly one changes a row (the other blocks on the row lock, then finds none).
            token.Property(t => t.ConsumedAt).IsConcurrencyToken();
            token.HasIndex(t => t.TokenHash).IsUnique();
            token.HasIndex(t => t.FamilyId);
            token.HasIndex(t => t.ExpiresAt);
            token.HasOne(t => t.Family).WithMany().HasForeignKey(t => t.FamilyId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<AuditEvent>(entry =>
        {
            entry.ToTable("audit_events");
            entry.HasKey(e => e.Id);
            entry.Property(e => e.Type).HasMaxLength(64);
            entry.Property(e => e.ClientId).HasMaxLength(128);
            entry.Property(e => e.IpAddress).HasMaxLength(64);
            entry.Property(e => e.UserAgent).HasMaxLength(256);
            entry.Property(e => e.Detail).HasMaxLength(512);
            entry.HasIndex(e => e.OccurredAt);
            entry.HasIndex(e => e.UserId);
        });

        modelBuilder.Entity<OutboxMessage>(message =>
        {
            message.ToTable("outbox_messages");
            message.HasKey(m => m.Id);
            message.Property(m => m.Kind).HasMaxLength(64);
            message.Property(m => m.Recipient).HasMaxLength(256);
            message.Property(m => m.Payload).HasMaxLength(4096);
            message.HasIndex(m => m.SentAt);
        });

        MfaModel.Configure(modelBuilder);
    }
}
