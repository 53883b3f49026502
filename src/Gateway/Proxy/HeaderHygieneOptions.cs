namespace Gateway.Proxy;

/// <summary>Bound from <c>Gateway:HeaderHygiene</c>.</summary>
public sealed class HeaderHygieneOptions
{
    public const string SectionName = "Gateway:HeaderHygiene";

    /// <summary>
    /// Request headers removed before proxying, matched by prefix, case-insensitively: identity headers a
    /// client could forge and a service might be tempted to trust. Defaults: <c>X-User</c>, <c>X-Forwarded-User</c>,
    /// <c>X-Authenticated</c>, <c>X-Auth-</c>, <c>X-Client-Id</c>, <c>X-Roles</c>, <c>X-Permissions</c>,
    /// <c>X-Remote-User</c>, <c>Remote-User</c>. Configured values replace the defaults.
    /// </summary>
    public IList<string> StrippedRequestHeaderPrefixes { get; set; } =
        ["X-User", "X-Forwarded-User", "X-Authenticated", "X-Auth-", "X-Client-Id", "X-Roles", "X-Permissions", "X-Remote-User", "Remote-User"];
}
