namespace TokenClients.AppTokens;

/// <summary>
/// What a signed-in app keeps: the access token with its lifetime and the refresh token of the session.
/// Both tokens are secrets: store them only through an <see cref="ITokenStore"/> backed by the platform's secure storage.
/// </summary>
/// <param name="AccessToken">The bearer token attached to API calls.</param>
/// <param name="RefreshToken">The session's current refresh token (rotated by every refresh).</param>
/// <param name="ObtainedAt">When the request that returned the access token was sent.</param>
/// <param name="ExpiresAt">When the access token expires (<see cref="ObtainedAt"/> + <c>expires_in</c>).</param>
public sealed record AppTokenSet(string AccessToken, string RefreshToken, DateTimeOffset ObtainedAt, DateTimeOffset ExpiresAt)
{
    /// <summary>Keeps the record's generated ToString from printing the tokens into logs or debugger output.</summary>
    public override string ToString() => $"AppTokenSet {{ ObtainedAt = {ObtainedAt:O}, ExpiresAt = {ExpiresAt:O} }}";
}
