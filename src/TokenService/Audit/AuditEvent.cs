namespace TokenService.Audit;

/// <summary>One entry of the append-only audit log. Written in the same transaction as the change it records.</summary>
public sealed class AuditEvent
{
    public long Id { get; set; }

    public DateTimeOffset OccurredAt { get; set; }

    /// <summary>What happened, e.g. <c>refresh_token_reuse_detected</c> (see <see cref="AuditEventTypes"/>).</summary>
    public required string Type { get; set; }

    public Guid? UserId { get; set; }

    public string? ClientId { get; set; }

    public Guid? SessionId { get; set; }

    public string? IpAddress { get; set; }

    public string? UserAgent { get; set; }

    /// <summary>A short reason or detail; never a secret, token or password.</summary>
    public string? Detail { get; set; }
}

public static class AuditEventTypes
{
    public const string LoginSucceeded = "login_succeeded";
    public const string LoginFailed = "login_failed";
    public const string AccountLocked = "account_locked";
    public const string SignedUp = "signed_up";
    public const string SignUpForExistingAccount = "sign_up_for_existing_account";
    public const string SignUpConfirmed = "sign_up_confirmed";
    public const string PasswordChanged = "password_changed";
    public const string PasswordChangeFailed = "password_change_failed";
    public const string UserCreated = "user_created";
    public const string UserDisabled = "user_disabled";
    public const string UserEnabled = "user_enabled";
    public const string PasswordReset = "password_reset";
    public const string RoleAssigned = "role_assigned";
    public const string RoleRemoved = "role_removed";
    public const string RoleCreated = "role_created";
    public const string RoleUpdated = "role_updated";
    public const string RoleDeleted = "role_deleted";
    public const string PermissionCreated = "permission_created";
    public const string PermissionDeleted = "permission_deleted";
    public const string PermissionGranted = "permission_granted";
    public const string PermissionRevoked = "permission_revoked";
    public const string BootstrapAdminRefused = "bootstrap_admin_refused";
    public const string ClientCreated = "client_created";
    public const string ClientUpdated = "client_updated";
    public const string ClientSecretRotated = "client_secret_rotated";
    public const string ClientPreviousSecretRevoked = "client_previous_secret_revoked";
    public const string ClientDisabled = "client_disabled";
    public const string ClientEnabled = "client_enabled";
    public const string ClientDeleted = "client_deleted";
    public const string RefreshTokenIssued = "refresh_token_issued";
    public const string RefreshTokenRotated = "refresh_token_rotated";
    public const string RefreshRetriedWithinGrace = "refresh_retried_within_grace";
    public const string RefreshTokenReuseDetected = "refresh_token_reuse_detected";
    public const string RefreshTokenRefused = "refresh_token_refused";
    public const string SessionRevoked = "session_revoked";
    public const string SigningKeyCreated = "signing_key_created";
    public const string SigningKeyRevoked = "signing_key_revoked";
    public const string MfaEnrollmentStarted = "mfa_enrollment_started";
    public const string MfaEnabled = "mfa_enabled";
    public const string MfaDisabled = "mfa_disabled";
    public const string MfaReset = "mfa_reset";
    public const string MfaRecoveryCodesRegenerated = "mfa_recovery_codes_regenerated";
    public const string MfaRecoveryCodeUsed = "mfa_recovery_code_used";
    public const string MfaVerificationFailed = "mfa_verification_failed";
    public const string MfaChallengeIssued = "mfa_challenge_issued";
    public const string MfaLoginSucceeded = "mfa_login_succeeded";
    public const string MfaLoginFailed = "mfa_login_failed";
}
