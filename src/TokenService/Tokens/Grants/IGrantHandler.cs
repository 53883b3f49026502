using TokenService.Clients;

namespace TokenService.Tokens.Grants;

/// <summary>One OAuth grant type. The token endpoint has already authenticated the client and checked it may use the grant.</summary>
internal interface IGrantHandler
{
    string GrantType { get; }

    /// <summary>
    /// The grant type a client must be allowed to use this grant: its own, or for a grant that only completes
    /// another (the second factor after a password) that other one.
    /// </summary>
    string PermittedBy => GrantType;

    /// <summary>
    /// Called before the client is authenticated, so a grant can refuse an overloaded request before any database
    /// work (throwing, e.g. <see cref="Passwords.PasswordHashingOverloadedException"/>); what it returns is disposed
    /// when the request has been handled. Default: nothing to admit.
    /// </summary>
    IDisposable? Admit() => null;

    Task<IResult> HandleAsync(TokenRequest request, Client client, CancellationToken cancellationToken);
}
