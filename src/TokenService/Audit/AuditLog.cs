using TokenService.Data;

namespace TokenService.Audit;

/// <summary>
/// Adds audit entries to the current unit of work, so an entry is committed exactly when the change it records
/// is. Client IP and user agent come from the current request.
/// </summary>
public sealed class AuditLog(TokenDbContext database, TimeProvider time, IHttpContextAccessor httpContextAccessor)
{
    private const int MaximumUserAgentLength = 256;
    private const int MaximumDetailLength = 512;

    /// <summary>Adds an entry to the unit of work and returns it (a caller that writes its unit of work with its own SQL writes it too).</summary>
    public AuditEvent Record(string type, Guid? userId = null, string? clientId = null, Guid? sessionId = null, string? detail = null)
    {
        var request = httpContextAccessor.HttpContext;
        var entry = new AuditEvent
        {
            OccurredAt = time.GetUtcNow(),
            Type = type,
            UserId = userId,
            ClientId = clientId,
            SessionId = sessionId,
            IpAddress = request?.Connection.RemoteIpAddress?.ToString(),
            UserAgent = Truncate(request?.Request.Headers.UserAgent.ToString()),
            Detail = detail is { Length: > MaximumDetailLength } ? detail[..MaximumDetailLength] : detail,
        };
        database.AuditEvents.Add(entry);
        return entry;
    }

    internal static string? Truncate(string? userAgent) =>
        string.IsNullOrEmpty(userAgent) ? null : userAgent.Length <= MaximumUserAgentLength ? userAgent : userAgent[..MaximumUserAgentLength];
}
