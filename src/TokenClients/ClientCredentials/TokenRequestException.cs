namespace TokenClients.ClientCredentials;

/// <summary>The token service refused or failed a token request. Carries the OAuth error code, never credentials.</summary>
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

    /// <summary>The RFC 6749 <c>error</c> code, when the token service sent one.</summary>
    public string? Error { get; }
}
