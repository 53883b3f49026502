namespace ServiceDefaults.Authorization;

/// <summary>Claim names of the platform's access tokens (RFC 9068 profile plus roles and permissions).</summary>
public static class AccessTokenClaims
{
    public const string Subject = "sub";
    public const string ClientId = "client_id";
    /// <summary>Space-separated list of granted scopes (one claim).</summary>
    public const string Scope = "scope";
    /// <summary>One claim per role (a JSON array in the token).</summary>
    public const string Roles = "roles";
    /// <summary>One claim per permission (a JSON array in the token).</summary>
    public const string Permissions = "permissions";
    /// <summary>The refresh-token family (session) the token belongs to.</summary>
    public const string SessionId = "sid";
    public const string AuthenticationTime = "auth_time";
    public const string AuthenticationMethods = "amr";
}
