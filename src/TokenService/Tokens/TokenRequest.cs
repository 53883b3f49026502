using Microsoft.Extensions.Primitives;

namespace TokenService.Tokens;

/// <summary>The parameters of a token request (RFC 6749 §3.2), read from an <c>application/x-www-form-urlencoded</c> body.</summary>
public sealed class TokenRequest
{
    /// <summary>The one parameter that may repeat (RFC 8707 §2).</summary>
    public const string Resource = "resource";

    /// <summary>Largest request body accepted by the token, revocation and introspection endpoints.</summary>
    public const long MaximumRequestBytes = 16 * 1024;

    private const int MaximumParameterLength = 4096;
    private readonly IFormCollection _form;

    private TokenRequest(IFormCollection form) => _form = form;

    public string? GrantType => this["grant_type"];

    public string? this[string name] => _form.TryGetValue(name, out var values) && !StringValues.IsNullOrEmpty(values) ? values[0] : null;

    public IReadOnlyList<string> Resources => _form.TryGetValue(Resource, out var values)
        ? values.Where(value => !string.IsNullOrEmpty(value)).Select(value => value!).ToArray()
        : [];

    /// <summary>Reads and checks the form; returns the request or the <c>invalid_request</c> error to answer with.</summary>
    public static async Task<(TokenRequest? Request, OAuthErrorResult? Error)> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!request.HasFormContentType || request.ContentType?.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase) != true)
        {
            return (null, Invalid("The request body must be application/x-www-form-urlencoded."));
        }

        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is InvalidDataException or BadHttpRequestException or IOException)
        {
            return (null, Invalid("The request body could not be read as a form."));
        }

        foreach (var (name, values) in form)
        {
            if (values.Count > 1 && name != Resource)
            {
                return (null, Invalid($"The parameter '{name}' is repeated."));
            }

            if (values.Any(value => value is { Length: > MaximumParameterLength }))
            {
                return (null, Invalid($"The parameter '{name}' is too long."));
            }
        }

        return (new TokenRequest(form), null);
    }

    internal static OAuthErrorResult Invalid(string description) => new(OAuthErrors.InvalidRequest, description);
}
