using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace TestSupport;

/// <summary>
/// Stands in for the token service where a test needs only its public face: discovery and a JWKS with keys the
/// test controls, on a real Kestrel port. Counts JWKS fetches so tests can bound them.
/// </summary>
public sealed class FakeAuthority : IAsyncDisposable
{
    public const string Issuer = "https://issuer.test";

    private readonly ConcurrentDictionary<string, TestSigningKey> _keys = new();
    private LoopbackApp? _app;
    private int _jwksFetches;

    public Uri BaseAddress => _app!.BaseAddress;

    public int JwksFetches => Volatile.Read(ref _jwksFetches);

    public static async Task<FakeAuthority> StartAsync(params IEnumerable<TestSigningKey> keys)
    {
        var authority = new FakeAuthority();
        foreach (var key in keys)
        {
            authority.Publish(key);
        }

        authority._app = await LoopbackApp.StartAsync(app =>
        {
            app.MapGet("/.well-known/openid-configuration", (HttpContext context) => Results.Json(new Dictionary<string, string>
            {
                ["issuer"] = Issuer,
                ["jwks_uri"] = $"{context.Request.Scheme}://{context.Request.Host}/.well-known/jwks.json",
            }));
            app.MapGet("/.well-known/jwks.json", () =>
            {
                Interlocked.Increment(ref authority._jwksFetches);
                return Results.Text(TestSigningKey.ToJwks(authority._keys.Values), "application/json");
            });
        }).ConfigureAwait(false);
        return authority;
    }

    public void Publish(TestSigningKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        _keys[key.KeyId] = key;
    }

    public void Withdraw(TestSigningKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        _keys.TryRemove(key.KeyId, out _);
    }

    public ValueTask DisposeAsync() => _app?.DisposeAsync() ?? ValueTask.CompletedTask;
}
