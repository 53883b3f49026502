namespace TokenService.Keys;

public static class KeysExtensions
{
    /// <summary>How long validators and caches may keep the JWKS and discovery documents.</summary>
    internal const string PublicDocumentCacheControl = "public, max-age=300";

    public static IHostApplicationBuilder AddSigningKeys(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<SigningKeyOptions>().BindConfiguration(SigningKeyOptions.SectionName)
            .Validate(o => KeyEncryption.IsValidKey(o.KeyEncryptionKey), "SigningKeys:KeyEncryptionKey must be the base64 of 32 random bytes (e.g. `openssl rand -base64 32`).")
            .Validate(o => o.RsaKeySize >= 2048, "SigningKeys:RsaKeySize must be at least 2048.")
            .Validate(o => o.ReloadInterval > TimeSpan.Zero, "SigningKeys:ReloadInterval must be positive.")
            .Validate(o => o.ActivationDelay >= o.ReloadInterval && o.RotationInterval > o.ActivationDelay,
                "SigningKeys:ActivationDelay must be at least ReloadInterval, and RotationInterval longer than ActivationDelay.")
            .ValidateOnStart();
        builder.Services.AddSingleton<KeyEncryption>();
        builder.Services.AddSingleton<SigningKeyRing>();
        builder.Services.AddScoped<SigningKeyStore>();
        builder.Services.AddSingleton<SigningKeyManager>();
        builder.Services.AddHostedService(provider => provider.GetRequiredService<SigningKeyManager>());
        return builder;
    }

    /// <summary>Maps the JWKS (RFC 7517): public keys only, with cache headers.</summary>
    public static IEndpointRouteBuilder MapJwks(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(JwksPath, (SigningKeyRing ring, TimeProvider time, HttpResponse response) =>
        {
            response.Headers.CacheControl = PublicDocumentCacheControl;
            var keys = ring.PublishedKeys(time.GetUtcNow()).Select(key => new PublicJsonWebKey(
                Kty: "RSA", Use: "sig", Alg: key.Credentials.Algorithm, Kid: key.KeyId,
                N: key.PublicParameters.Modulus, E: key.PublicParameters.Exponent));
            return TypedResults.Json(new JsonWebKeySet([.. keys]), contentType: "application/jwk-set+json");
        }).AllowAnonymous();
        return endpoints;
    }

    public const string JwksPath = "/.well-known/jwks.json";

    private sealed record JsonWebKeySet(IReadOnlyList<PublicJsonWebKey> Keys);

    private sealed record PublicJsonWebKey(string Kty, string Use, string Alg, string Kid, string N, string E);
}
