using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;
using TokenClients.AppTokens;

namespace TokenClients.Tests;

/// <summary>An app session against the fake token service, and an HttpClient calling the fake API through <see cref="AppTokenHandler"/>.</summary>
public abstract class AppClientTestBase
{
    protected static readonly Uri Gateway = new("https://gateway.test");

    protected FakeTimeProvider Time { get; private set; } = null!;

    protected FakeTokenService TokenService { get; private set; } = null!;

    protected FakeApi Api { get; private set; } = null!;

    protected InMemoryTokenStore Store { get; private set; } = null!;

    protected RecordingLogger<AppTokenClient> Logs { get; private set; } = null!;

    protected AppTokenClient Session { get; private set; } = null!;

    protected HttpClient ApiClient { get; private set; } = null!;

    protected List<SignedOutReason> SignedOutEvents { get; } = [];

    protected static AppTokenOptions Options => new()
    {
        Authority = Gateway,
        ClientId = "mobile-app",
        RefreshBeforeExpiry = TimeSpan.FromSeconds(30),
        RefreshRetryDelay = TimeSpan.Zero,
        TokenRequestTimeout = TimeSpan.FromSeconds(5),
    };

    [SetUp]
    public void CreateSession()
    {
        Time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));
        TokenService = new FakeTokenService(Time);
        Api = new FakeApi(TokenService);
        Store = new InMemoryTokenStore();
        Logs = new RecordingLogger<AppTokenClient>();
        Session = new AppTokenClient(new HttpClient(TokenService), Options, Store, Time, Logs);
        SignedOutEvents.Clear();
        Session.SignedOut += (_, e) => SignedOutEvents.Add(e.Reason);
        ApiClient = new HttpClient(new AppTokenHandler(Session) { InnerHandler = Api }) { BaseAddress = Gateway };
    }

    [TearDown]
    public void DisposeSession()
    {
        ApiClient.Dispose();
        Session.Dispose();
        Api.Dispose();
        TokenService.Dispose();
    }

    protected Task SignInAsync() => Session.SignInAsync(FakeTokenService.UserName, FakeTokenService.Password, CancellationToken.None);

    /// <summary>Moves the clock past the access token's expiry.</summary>
    protected void ExpireAccessToken() => Time.Advance(TokenService.AccessTokenLifetime + TimeSpan.FromSeconds(1));
}
