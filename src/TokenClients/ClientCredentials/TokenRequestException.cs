using System.Net;

namespace TokenClients.ClientCredentials;

/// <summary>
/// The token service refused or failed a token request. Carries the OAuth error code and HTTP status, never
/// credentials or tokens. (Used by both the service and the app client; the namespace is kept for existing callers.)
/// </summary>
public sealed class TokenRequestException : Exception
{
    public TokenRequestException()
    {
    }

    public TokenRequestException(string message)
        : base(message)
    {
    }

    public TokenRequestException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public TokenRequestException(string message, string? error)
        : base(message) => Error = error;

    public TokenRequestException(string message, string? error, HttpStatusCode statusCode)
        : base(message)
    {
        Error = error;
        StatusCode = statusCode;
    }

    /// <summary>The RFC 6749 <c>error</c> code, when the token service sent one.</summary>
    public string? Error { get; }

    /// <summary>The HTTP status of the token service's answer, when there was one.</summary>
    public HttpStatusCode? StatusCode { get; }
}
