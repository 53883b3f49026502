using System.Net.Http.Headers;
using System.Text;
using TokenService.Data;
using TokenService.Tokens;

namespace TokenService.Clients;

/// <summary>
/// Identifies and authenticates the client of a token request (RFC 6749 §2.3): HTTP Basic or
/// <c>client_secret_post</c> for confidential clients, <c>client_id</c> alone for public ones. Exactly one method.
/// </summary>
internal sealed partial class ClientAuthenticator(TokenDbContext database, ClientCache clients, TimeProvider time, ILogger<ClientAuthenticator> logger)
{
    private const string BasicChallenge = "Basic realm=\"token\", charset=\"UTF-8\"";
    private static readonly byte[] NoSecretHash = ClientSecrets.Hash("");

    /// <summary>Reads a form request to an OAuth endpoint and authenticates its client: the start of revocation and introspection.</summary>
    public async Task<(TokenRequest? Request, Client? Client, OAuthErrorResult? Error)> ReadAndAuthenticateAsync(
        HttpRequest httpRequest, CancellationToken cancellationToken)
    {
        var (request, error) = await TokenRequest.ReadAsync(httpRequest, cancellationToken).ConfigureAwait(false);
        if (error is not null)
        {
            return (null, null, error);
        }

        var (client, clientError) = await AuthenticateAsync(httpRequest, request!, cancellationToken).ConfigureAwait(false);
        return clientError is null ? (request, client, null) : (null, null, clientError);
    }

    public async Task<(Client? Client, OAuthErrorResult? Error)> AuthenticateAsync(
        HttpRequest httpRequest, TokenRequest request, CancellationToken cancellationToken)
    {
        var usedBasic = false;
        var clientId = request["client_id"];
        var secret = request["client_secret"];

        if (AuthenticationHeaderValue.TryParse(httpRequest.Headers.Authorization, out var header)
            && string.Equals(header.Scheme, "Basic", StringComparison.OrdinalIgnoreCase))
        {
            if (secret is not null)
            {
                return (null, TokenRequest.Invalid("Use one client authentication method, not several."));
            }

            if (!TryReadBasic(header.Parameter, out var basicId, out var basicSecret) || (clientId is not null && clientId != basicId))
            {
                return (null, Failure(usedBasic: true));
            }

            (clientId, secret, usedBasic) = (basicId, basicSecret, true);
        }

        if (string.IsNullOrEmpty(clientId))
        {
            return (null, Failure(usedBasic));
        }

        // A remembered record may be stale: it may only accept. Whatever it refuses is judged again on a fresh read
        // (a secret rotated or a client enabled through another instance works here at once).
        var remembered = clients.Remembered(clientId);
        var client = remembered ?? await clients.ReadAsync(database, clientId, cancellationToken).ConfigureAwait(false);
        var refusal = Refusal(client, secret);
        if (refusal is not null && remembered is not null)
        {
            client = await clients.ReadAsync(database, clientId, cancellationToken).ConfigureAwait(false);
            refusal = Refusal(client, secret);
        }

        if (refusal is not null)
        {
            LogClientAuthenticationFailed(logger, refusal);
            return (null, Failure(usedBasic));
        }

        return (client, null);
    }

    /// <summary>Why <paramref name="client"/> (null: unknown) is refused with <paramref name="secret"/>, or null if it is authenticated.</summary>
    private string? Refusal(Client? client, string? secret)
    {
        // Always two hash comparisons (current and previous secret), whoever the client is: their time says nothing about either.
        var previousValid = client?.PreviousSecretExpiresAt > time.GetUtcNow();
        var currentMatches = ClientSecrets.Matches(client?.SecretHash ?? NoSecretHash, secret ?? "");
        var previousMatches = ClientSecrets.Matches(previousValid ? client!.PreviousSecretHash ?? NoSecretHash : NoSecretHash, secret ?? "");
        var secretMatches = currentMatches | (previousValid && previousMatches);
        var authenticated = client is { IsDisabled: false }
            && (client.IsConfidential ? secret is not null && secretMatches : secret is null);
        return authenticated ? null : client is null ? "unknown client" : client.IsDisabled ? "disabled client" : "bad secret";
    }

    private static OAuthErrorResult Failure(bool usedBasic) => new(
        OAuthErrors.InvalidClient, "Client authentication failed.", StatusCodes.Status401Unauthorized,
        usedBasic ? BasicChallenge : null);

    /// <summary>RFC 6749 §2.3.1: id and secret are form-url-encoded, then joined by a colon and base64-encoded.</summary>
    private static bool TryReadBasic(string? parameter, out string clientId, out string secret)
    {
        (clientId, secret) = ("", "");
        if (string.IsNullOrEmpty(parameter))
        {
            return false;
        }

        var buffer = new byte[parameter.Length];
        if (!Convert.TryFromBase64String(parameter, buffer, out var written))
        {
            return false;
        }

        string decoded;
        try
        {
            decoded = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(buffer, 0, written);
        }
        catch (DecoderFallbackException)
        {
            return false;
        }

        var colon = decoded.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            return false;
        }

        clientId = Uri.UnescapeDataString(decoded[..colon].Replace('+', ' '));
        secret = Uri.UnescapeDataString(decoded[(colon + 1)..].Replace('+', ' '));
        return clientId.Length > 0;
    }

    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Client authentication failed: {Reason}.")]
    private static partial void LogClientAuthenticationFailed(ILogger logger, string reason);
}
