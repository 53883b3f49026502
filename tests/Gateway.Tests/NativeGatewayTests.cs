using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using NUnit.Framework;
using TestSupport;

namespace Gateway.Tests;

/// <summary>
/// What only the published native gateway can break beyond the token checks (<see cref="BearerTokenValidationTests"/>
/// run against it too): its rate limiter, its metrics, a reload of its appsettings.json, a refused start, and a
/// graceful stop on SIGTERM.
/// </summary>
[TestFixture]
public sealed class NativeGatewayTests() : GatewayTestBase(GatewayBuild.Native)
{
    private const int PerSubjectLimit = 200;

    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["Gateway:RateLimits:PerSubject:PermitLimit"] = $"{PerSubjectLimit}",
    };

    [Test]
    public async Task A_subject_over_its_limit_gets_429_problem_details_with_Retry_After()
    {
        var token = Key.CreateToken(OrdersReader with { Subject = "native-rate-limited" });
        for (var i = 0; i < PerSubjectLimit; i++)
        {
            using var allowed = await GetAsync("/api/orders", token);
            Assert.That(allowed.StatusCode, Is.EqualTo(HttpStatusCode.OK), $"request {i + 1} of {PerSubjectLimit}");
        }

        using var response = await GetAsync("/api/orders", token);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
        Assert.That(response.Headers.RetryAfter?.Delta, Is.InRange(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1)));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
    }

    [Test]
    public async Task The_gateway_serves_its_own_metrics()
    {
        var metrics = await Client.GetStringAsync("/metrics");

        Assert.That(metrics, Does.Contain("token_verification_key_set_fetches_total"));
    }

    [Test]
    public async Task A_route_policy_changed_in_appsettings_applies_without_a_restart()
    {
        var settingsFile = Path.Combine(await NativeGateway.DirectoryAsync(), "appsettings.json");
        var original = await File.ReadAllTextAsync(settingsFile);
        var token = Key.CreateToken(OrdersReader with { Subject = "native-reload" });
        try
        {
            await File.WriteAllTextAsync(settingsFile, original.Replace(
                "\"RequiredPermissions\": [ \"orders:read\" ]", "\"RequiredPermissions\": [ \"orders:audit\" ]", StringComparison.Ordinal));

            Assert.That(await StatusWithinAsync(token, HttpStatusCode.Forbidden), Is.EqualTo(HttpStatusCode.Forbidden), Rig.Native.RecentOutput);
        }
        finally
        {
            await File.WriteAllTextAsync(settingsFile, original);
        }

        Assert.That(await StatusWithinAsync(token, HttpStatusCode.OK), Is.EqualTo(HttpStatusCode.OK), Rig.Native.RecentOutput);
    }

    [Test]
    public async Task An_invalid_setting_stops_the_native_gateway_at_start_and_is_named()
    {
        var settings = GatewayHost.Settings(Authority, Rig.Backend.BaseAddress, new Dictionary<string, string>
        {
            ["Gateway:RateLimits:PerSubject:PermitLimit"] = "0",
        });

        await using var gateway = await NativeGateway.CreateAsync(settings);

        var exitCode = await gateway.RunUntilExitAsync();

        Assert.That(exitCode, Is.Not.Zero);
        Assert.That(gateway.RecentOutput, Does.Contain("Gateway:RateLimits"));
    }

    [Test]
    public async Task SIGTERM_lets_a_request_in_flight_finish_and_the_native_gateway_exits_0()
    {
        var reachedBackend = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var slowBackend = await LoopbackApp.StartAsync(app => app.Run(async context =>
        {
            reachedBackend.TrySetResult();
            await release.Task;
            await context.Response.WriteAsync("finished");
        }));
        await using var gateway = await NativeGateway.CreateAsync(GatewayHost.Settings(Authority, slowBackend.BaseAddress, new Dictionary<string, string>
        {
            ["Shutdown:DrainDelay"] = "00:00:01",
        }));
        await gateway.StartAsync();
        using var client = new HttpClient { BaseAddress = gateway.Address };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/orders");
        request.Headers.Authorization = new("Bearer", Key.CreateToken(OrdersReader with { Subject = "native-sigterm" }));
        var inFlight = client.SendAsync(request);
        await reachedBackend.Task.WaitAsync(TimeSpan.FromSeconds(15));

        var exiting = gateway.TerminateAsync(TimeSpan.FromSeconds(30));
        await Task.Delay(TimeSpan.FromSeconds(2)); // past the drain delay: the server has stopped listening and waits for the request
        Assert.That(exiting.IsCompleted, Is.False, "the gateway exited with a request in flight");
        release.SetResult();
        using var response = await inFlight;

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("finished"));
        Assert.That(await exiting, Is.Zero, gateway.RecentOutput);
    }

    /// <summary>Polls until the answer is <paramref name="expected"/> (the file watcher takes a moment), for at most 15 seconds.</summary>
    private async Task<HttpStatusCode> StatusWithinAsync(string token, HttpStatusCode expected)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            using var response = await GetAsync("/api/orders", token);
            if (response.StatusCode == expected || deadline.Elapsed > TimeSpan.FromSeconds(15))
            {
                return response.StatusCode;
            }

            await Task.Delay(200);
        }
    }
}
