namespace TokenService.Clients;

/// <summary>Bound from <c>Clients</c>.</summary>
public sealed class ClientOptions
{
    public const string SectionName = "Clients";

    internal static readonly TimeSpan MaximumCacheLifetime = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long an instance authenticates a client against the record it last read, instead of reading it for every
    /// token request. Default 5 seconds; at most 1 minute; 0 reads the record every time. The instance an operator
    /// changes a client through forgets its copy at once, and a refused client is always read again; so the only thing
    /// the lifetime delays is a refusal decided elsewhere (a client disabled, a secret withdrawn, an allowance narrowed
    /// through another instance), by at most this long, which is small against the access-token
    /// lifetime such a client already has.
    /// </summary>
    public TimeSpan CacheLifetime { get; set; } = TimeSpan.FromSeconds(5);
}
