using System.Text;
using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;
using TokenClients.ClientCredentials;

namespace TokenClients.Tests;

/// <summary>A service's own token (client_credentials): cached per audience/scope, one request for many callers, refreshed before expiry.</summary>
public sealed class ClientCredentialsTests
{
    private FakeTimeProvider _time = null!;
    private FakeTokenService _tokenService = null!;
    private HttpClient _tokenClient = null!;
    private ClientCredentialsTokenSource _source = null!;

    private static ClientCredentialsOptions Options(TimeSpan refreshBeforeExpiry) => new()
    {
        TokenEndpoint = new Uri("https://token-service.test/connect/token"),
        ClientId = "orders-service",
        ClientSecret = FakeTokenService.ClientSecret,
        Scope = "inventory:reserve",
        Resource = "inventory-api",
        RefreshBeforeExpiry = refreshBeforeExpiry,
    };

    [SetUp]
    public void CreateSource()
    {
        _time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));
        _tokenService = new FakeTokenService(_time);
        _tokenClient = new HttpClient(_tokenService);
        _source = new ClientCredentialsTokenSource(_tokenClient, Options(TimeSpan.FromSeconds(30)), _time);
    }

    [TearDown]
    public void DisposeSource()
    {
        _source.Dispose();
        _tokenClient.Dispose();
        _tokenService.Dispose();
    }

    [Test]
    public async Task The_request_carries_the_client_credentials_the_scope_and_the_audience()
    {
        await _source.GetTokenAsync(CancellationToken.None);

        var form = _tokenService.ClientCredentialsForms.Single();
        var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes($"orders-service:{FakeTokenService.ClientSecret}"));
        Assert.That(form["authorization"], Is.EqualTo($"Basic {basic}"));
        Assert.That(form["scope"], Is.EqualTo("inventory:reserve"));
        Assert.That(form["resource"], Is.EqualTo("inventory-api"));
    }

    [Test]
    public async Task Many_parallel_callers_cause_one_token_request()
    {
        _tokenService.HoldAnswers = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var callers = Enumerable.Range(0, 50).Select(_ => _source.GetTokenAsync(CancellationToken.None).AsTask()).ToList();
        Assert.That(await _tokenService.RequestArrived.WaitAsync(TimeSpan.FromSeconds(10)), Is.True);
        _tokenService.HoldAnswers.SetResult();
        var tokens = await Task.WhenAll(callers);

        Assert.That(_tokenService.ClientCredentialsRequests, Is.EqualTo(1));
        Assert.That(tokens.Distinct(), Is.EqualTo(new[] { _tokenService.Latest.AccessToken }));
    }

    [TestCase(269, 1, TestName = "The_token_is_reused_until_the_margin_before_expiry")]
    [TestCase(271, 2, TestName = "The_token_is_replaced_within_the_margin_before_expiry")]
    public async Task Replacement_happens_the_margin_before_expiry(int secondsLater, int expectedRequests)
    {
        await _source.GetTokenAsync(CancellationToken.None);

        _time.Advance(TimeSpan.FromSeconds(secondsLater));
        var token = await _source.GetTokenAsync(CancellationToken.None);

        Assert.That(_tokenService.ClientCredentialsRequests, Is.EqualTo(expectedRequests));
        Assert.That(token, Is.EqualTo(_tokenService.Latest.AccessToken));
    }

    [TestCase(29, 1, TestName = "A_token_living_shorter_than_the_margin_is_reused_for_half_its_lifetime")]
    [TestCase(31, 2, TestName = "A_token_living_shorter_than_the_margin_is_replaced_after_half_its_lifetime")]
    public async Task Short_lived_tokens_are_reused_for_half_their_lifetime(int secondsLater, int expectedRequests)
    {
        _tokenService.AccessTokenLifetime = TimeSpan.FromSeconds(60);
        using var source = new ClientCredentialsTokenSource(_tokenClient, Options(TimeSpan.FromMinutes(5)), _time);
        await source.GetTokenAsync(CancellationToken.None);

        _time.Advance(TimeSpan.FromSeconds(secondsLater));
        await source.GetTokenAsync(CancellationToken.None);

        Assert.That(_tokenService.ClientCredentialsRequests, Is.EqualTo(expectedRequests));
    }

    [Test]
    public void A_refusal_surfaces_the_oauth_error_without_the_secret()
    {
        _tokenService.ClientCredentialsError = "invalid_client";

        var refused = Assert.ThrowsAsync<TokenRequestException>(async () => await _source.GetTokenAsync(CancellationToken.None));

        Assert.That(refused!.Error, Is.EqualTo("invalid_client"));
        Assert.That(refused.ToString(), Does.Not.Contain(FakeTokenService.ClientSecret));
    }

    [Test]
    public async Task While_the_token_service_is_unavailable_the_token_held_is_used_until_it_expires()
    {
        var held = await _source.GetTokenAsync(CancellationToken.None);
        _tokenService.ClientCredentialsUnavailable = true;

        _time.Advance(TimeSpan.FromSeconds(271));
        var token = await _source.GetTokenAsync(CancellationToken.None);

        Assert.That(token, Is.EqualTo(held));
        Assert.That(_tokenService.ClientCredentialsRequests, Is.EqualTo(2));
    }

    [TestCase(4, 2, TestName = "While_unavailable_replacement_is_not_retried_before_the_retry_delay")]
    [TestCase(6, 3, TestName = "While_unavailable_replacement_is_retried_after_the_retry_delay")]
    public async Task While_unavailable_replacement_is_retried_after_the_retry_delay(int secondsLater, int expectedRequests)
    {
        await _source.GetTokenAsync(CancellationToken.None);
        _tokenService.ClientCredentialsUnavailable = true;
        _time.Advance(TimeSpan.FromSeconds(271));
        await _source.GetTokenAsync(CancellationToken.None);

        _time.Advance(TimeSpan.FromSeconds(secondsLater));
        await _source.GetTokenAsync(CancellationToken.None);

        Assert.That(_tokenService.ClientCredentialsRequests, Is.EqualTo(expectedRequests));
    }

    [Test]
    public async Task When_the_token_service_is_back_the_token_is_replaced()
    {
        var held = await _source.GetTokenAsync(CancellationToken.None);
        _tokenService.ClientCredentialsUnavailable = true;
        _time.Advance(TimeSpan.FromSeconds(271));
        await _source.GetTokenAsync(CancellationToken.None);

        _tokenService.ClientCredentialsUnavailable = false;
        _time.Advance(TimeSpan.FromSeconds(6));
        var token = await _source.GetTokenAsync(CancellationToken.None);

        Assert.That(token, Is.Not.EqualTo(held).And.EqualTo(_tokenService.Latest.AccessToken));
    }

    [Test]
    public async Task An_expired_token_is_never_used_while_the_token_service_is_unavailable()
    {
        await _source.GetTokenAsync(CancellationToken.None);
        _tokenService.ClientCredentialsUnavailable = true;
        _time.Advance(TimeSpan.FromMinutes(5));

        var unavailable = Assert.ThrowsAsync<TokenRequestException>(async () => await _source.GetTokenAsync(CancellationToken.None));

        Assert.That(unavailable!.Error, Is.EqualTo("temporarily_unavailable"));
    }

    [Test]
    public async Task A_refusal_is_never_hidden_behind_the_token_held()
    {
        await _source.GetTokenAsync(CancellationToken.None);
        _tokenService.ClientCredentialsError = "invalid_client";
        _time.Advance(TimeSpan.FromSeconds(271));

        var refused = Assert.ThrowsAsync<TokenRequestException>(async () => await _source.GetTokenAsync(CancellationToken.None));

        Assert.That(refused!.Error, Is.EqualTo("invalid_client"));
    }

    [Test]
    public async Task The_handler_sends_requests_with_the_service_token()
    {
        var api = new FakeApi(_tokenService);
        using var client = new HttpClient(new ClientCredentialsHandler(_source) { InnerHandler = api });

        using var response = await client.GetAsync(new Uri("https://inventory.test/internal/reservations"));

        Assert.That(api.SeenTokens, Is.EqualTo(new[] { _tokenService.Latest.AccessToken }));
        Assert.That(response.Headers.WwwAuthenticate, Is.Empty);
    }
}
