using System.Net;
using System.Net.Http.Headers;
using Microsoft.IdentityModel.JsonWebTokens;
using NUnit.Framework;

namespace EndToEnd.Tests;

/// <summary>
/// A signing-key rotation while traffic flows: validators learn the successor while it is pending (here: they
/// start during the pending period, as they would refresh their key set in a longer one), tokens of both keys
/// keep working at the gateway and the services, and no request fails.
/// </summary>
[TestFixture]
public sealed class KeyRotationTests : PlatformFixture
{
    private static readonly TimeSpan ActivationDelay = TimeSpan.FromSeconds(6);

    private string _tokenBeforeRotation = "";

    protected override IReadOnlyDictionary<string, string> TokenServiceSettings => new Dictionary<string, string>
    {
        ["SigningKeys:ActivationDelay"] = ActivationDelay.ToString(),
        ["SigningKeys:ReloadInterval"] = "00:00:01",
    };

    /// <summary>An operator rotation: the successor is pending while the validators start and read the key set.</summary>
    protected override async Task BeforeValidatorsStartAsync(Uri tokenService)
    {
        using var tokens = new MobileApp(tokenService);
        var admin = await tokens.SignInAsync("admin", Platform.AdminPassword);
        using var rotate = new HttpRequestMessage(HttpMethod.Post, "/admin/keys/rotate");
        rotate.Headers.Authorization = new AuthenticationHeaderValue("Bearer", admin);
        using var http = new HttpClient { BaseAddress = tokenService };
        using var rotated = await http.SendAsync(rotate);
        rotated.EnsureSuccessStatusCode();
    }

    [OneTimeSetUp]
    public async Task SignInBeforeTheSwitch() => _tokenBeforeRotation = await App.SignInAsync("alice", Platform.UserPassword);

    [Test]
    public async Task Requests_with_tokens_of_the_old_and_the_new_key_all_succeed_across_the_switch()
    {
        var deadline = TimeProvider.System.GetUtcNow() + ActivationDelay + TimeSpan.FromSeconds(3);
        var (requests, failures) = (0, new List<string>());
        var signingKeys = new HashSet<string> { new JsonWebToken(_tokenBeforeRotation).Kid };
        while (TimeProvider.System.GetUtcNow() < deadline)
        {
            var fresh = await App.SignInAsync("alice", Platform.UserPassword);
            signingKeys.Add(new JsonWebToken(fresh).Kid);
            foreach (var token in new[] { _tokenBeforeRotation, fresh })
            {
                foreach (var path in new[] { "/api/orders", "/api/inventory/items" })
                {
                    using var response = await App.SendAsync(HttpMethod.Get, path, token);
                    requests++;
                    if (response.StatusCode != HttpStatusCode.OK)
                    {
                        failures.Add($"{path} with kid {new JsonWebToken(token).Kid}: {(int)response.StatusCode}");
                    }
                }
            }

            await Task.Delay(250);
        }

        TestContext.Out.WriteLine($"key rotation under traffic: {requests} requests, {failures.Count} failed, signing keys seen: {signingKeys.Count}");
        Assert.Multiple(() =>
        {
            Assert.That(signingKeys, Has.Count.EqualTo(2), "the rotation happened during the run");
            Assert.That(failures, Is.Empty);
        });
    }
}
