using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using NUnit.Framework;
using TestSupport;

namespace Gateway.Tests;

/// <summary>
/// The published native gateway (Native AOT), run as its own process. Every other test here runs the gateway on the
/// JIT, where code that trimming removes or that needs run-time code generation (reflection-based configuration
/// binding, JSON serialisation) still works; these run what ships, on the paths every start and every request take.
/// The publish takes a minute or two.
/// </summary>
[TestFixture]
public sealed class NativeGatewayTests
{
    private const string OrdersPath = "/api/orders";
    private const int PerSubjectLimit = 200;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private readonly string _directory = Directory.CreateTempSubdirectory("native-gateway-").FullName;
    private readonly int _managementPort = PostgresServer.FreePort();
    private TestSigningKey _key = null!;
    private FakeAuthority _authority = null!;
    private LoopbackApp _backend = null!;
    private Process _gateway = null!;
    private StringBuilder _output = null!;
    private HttpClient _client = null!;

    [OneTimeSetUp]
    public async Task PublishAndStart()
    {
        await NativeGateway.PublishAsync(_directory);
        _key = new TestSigningKey();
        _authority = await FakeAuthority.StartAsync(_key);
        _backend = await EchoBackend.StartAsync();
        var address = new Uri($"http://127.0.0.1:{PostgresServer.FreePort()}");
        _gateway = NativeGateway.Start(_directory, Settings(address), out _output);
        _client = new HttpClient { BaseAddress = address };
        await WaitUntilReadyAsync();
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        _client?.Dispose();
        if (_gateway is not null)
        {
            _gateway.Kill(entireProcessTree: true);
            await _gateway.WaitForExitAsync();
            _gateway.Dispose();
        }

        if (_backend is not null)
        {
            await _backend.DisposeAsync();
        }

        if (_authority is not null)
        {
            await _authority.DisposeAsync();
        }

        _key?.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Test]
    public async Task A_valid_token_with_the_route_permission_reaches_the_service_with_the_prefix_removed()
    {
        using var response = await GetAsync($"{OrdersPath}/42", _key.CreateToken(GatewayRig.OrdersReader));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), Output);
        Assert.That((await response.Content.ReadFromJsonAsync<EchoedRequest>())!.Path, Is.EqualTo("/orders/42"));
    }

    [Test]
    public async Task A_request_without_a_token_is_challenged_with_401()
    {
        using var response = await GetAsync(OrdersPath, token: null);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(response.Headers.WwwAuthenticate.ToString(), Is.EqualTo("Bearer"));
    }

    [TestCaseSource(typeof(BearerTokenValidationTests), nameof(BearerTokenValidationTests.ForgedTokens))]
    public async Task A_bad_token_is_refused_with_401_invalid_token(Func<TestSigningKey, string> forge)
    {
        using var response = await GetAsync(OrdersPath, forge(_key));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), Output);
        Assert.That(response.Headers.WwwAuthenticate.ToString(), Is.EqualTo("Bearer error=\"invalid_token\""));
    }

    [Test]
    public async Task A_valid_token_without_the_route_permission_is_forbidden_with_insufficient_scope()
    {
        var token = _key.CreateToken(new TokenSpec { Scopes = ["orders"], Permissions = ["inventory:read"] });

        using var response = await GetAsync(OrdersPath, token);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(response.Headers.WwwAuthenticate.ToString(), Is.EqualTo("Bearer error=\"insufficient_scope\""));
    }

    [Test]
    public async Task A_subject_over_its_limit_gets_429_problem_details_with_Retry_After()
    {
        var token = _key.CreateToken(GatewayRig.OrdersReader with { Subject = "native-rate-limited" });
        for (var i = 0; i < PerSubjectLimit; i++)
        {
            using var allowed = await GetAsync(OrdersPath, token);
            Assert.That(allowed.StatusCode, Is.EqualTo(HttpStatusCode.OK), $"request {i + 1} of {PerSubjectLimit}");
        }

        using var response = await GetAsync(OrdersPath, token);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
        Assert.That(response.Headers.RetryAfter?.Delta, Is.InRange(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1)));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
    }

    [Test]
    public async Task The_management_port_serves_the_gateway_s_own_metrics()
    {
        using var management = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_managementPort}") };

        var metrics = await management.GetStringAsync("/metrics");

        Assert.That(metrics, Does.Contain("token_verification_key_set_fetches_total"));
    }

    [Test]
    public async Task A_route_policy_changed_in_appsettings_applies_without_a_restart()
    {
        var settingsFile = Path.Combine(_directory, "appsettings.json");
        var original = await File.ReadAllTextAsync(settingsFile);
        var token = _key.CreateToken(GatewayRig.OrdersReader with { Subject = "native-reload" });
        try
        {
            await File.WriteAllTextAsync(settingsFile, original.Replace(
                "\"RequiredPermissions\": [ \"orders:read\" ]", "\"RequiredPermissions\": [ \"orders:audit\" ]", StringComparison.Ordinal));

            Assert.That(await StatusWithinAsync(token, HttpStatusCode.Forbidden), Is.EqualTo(HttpStatusCode.Forbidden), Output);
        }
        finally
        {
            await File.WriteAllTextAsync(settingsFile, original);
        }

        Assert.That(await StatusWithinAsync(token, HttpStatusCode.OK), Is.EqualTo(HttpStatusCode.OK), Output);
    }

    [Test]
    public async Task An_invalid_setting_stops_the_native_gateway_at_start_and_is_named()
    {
        var settings = Settings(new Uri($"http://127.0.0.1:{PostgresServer.FreePort()}"));
        settings["Management:Port"] = $"{PostgresServer.FreePort()}";
        settings["Gateway:RateLimits:PerSubject:PermitLimit"] = "0";
        using var gateway = NativeGateway.Start(_directory, settings, out var output);
        using var timeout = new CancellationTokenSource(StartTimeout);

        await gateway.WaitForExitAsync(timeout.Token);

        Assert.That(gateway.ExitCode, Is.Not.Zero);
        Assert.That(output.ToString(), Does.Contain("Gateway:RateLimits"));
    }

    private string Output => $"gateway output:\n{_output}";

    private Dictionary<string, string> Settings(Uri address)
    {
        var settings = new Dictionary<string, string>
        {
            ["urls"] = address.ToString(),
            ["Management:Port"] = $"{_managementPort}",
            ["TokenVerification:Authority"] = _authority.BaseAddress.ToString(),
            ["TokenVerification:Issuer"] = FakeAuthority.Issuer,
            ["TokenVerification:AllowInsecureHttpMetadata"] = "true",
            ["Gateway:RateLimits:PerSubject:PermitLimit"] = $"{PerSubjectLimit}",
        };
        foreach (var cluster in new[] { "token-service", "orders", "inventory" })
        {
            settings[$"ReverseProxy:Clusters:{cluster}:Destinations:primary:Address"] = _backend.BaseAddress.ToString();
        }

        return settings;
    }

    private async Task<HttpResponseMessage> GetAsync(string path, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await _client.SendAsync(request);
    }

    /// <summary>Polls until the answer is <paramref name="expected"/> (the file watcher takes a moment), for at most 15 seconds.</summary>
    private async Task<HttpStatusCode> StatusWithinAsync(string token, HttpStatusCode expected)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            using var response = await GetAsync(OrdersPath, token);
            if (response.StatusCode == expected || deadline.Elapsed > TimeSpan.FromSeconds(15))
            {
                return response.StatusCode;
            }

            await Task.Delay(200);
        }
    }

    private async Task WaitUntilReadyAsync()
    {
        using var management = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_managementPort}") };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < StartTimeout && !_gateway.HasExited)
        {
            try
            {
                using var response = await management.GetAsync("/health/ready");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(100);
        }

        Assert.Fail($"The native gateway did not become ready within {StartTimeout}. {Output}");
    }
}
