using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NUnit.Framework;
using TestSupport;
using TokenService.Data;
using TokenService.Tokens;

namespace TokenService.Tests;

/// <summary>
/// While its database is down the token service answers 503 with <c>Retry-After</c> — never 500, never a token —
/// in the RFC 6749 error shape at the OAuth endpoints and as problem details elsewhere; readiness fails, liveness
/// holds. The fixture owns its PostgreSQL server, which it stops after signing in.
/// </summary>
[TestFixture]
public sealed class DatabaseOutageTests
{
    private PostgresServer _server = null!;
    private ConfiguredHost<AccessTokenIssuer> _host = null!;
    private HttpClient _client = null!;
    private (string Access, string Refresh) _session;

    [OneTimeSetUp]
    public async Task StartThenStopTheDatabase()
    {
        _server = await PostgresServer.StartAsync();
        _host = TokenServiceHost.Create(DatabaseProvider.Postgres, await _server.CreateDatabaseAsync("outage"));
        _client = _host.CreateClient();
        _session = await _client.SignInAsync("alice", TokenServiceHost.UserPassword);
        await _server.StopAsync();
    }

    [OneTimeTearDown]
    public async Task StopTokenService()
    {
        _client.Dispose();
        await _host.DisposeAsync();
        await _server.DisposeAsync();
    }

    private static IEnumerable<TestCaseData> Grants()
    {
        yield return new TestCaseData("password").SetName("A_password_sign_in_gets_503_temporarily_unavailable_with_Retry_After");
        yield return new TestCaseData("refresh_token").SetName("A_refresh_gets_503_temporarily_unavailable_with_Retry_After");
        yield return new TestCaseData("client_credentials").SetName("A_client_credentials_request_gets_503_temporarily_unavailable_with_Retry_After");
    }

    [TestCaseSource(nameof(Grants))]
    public async Task Token_requests_are_answered_503_in_the_OAuth_error_shape(string grant)
    {
        using var response = grant switch
        {
            "password" => await _client.PasswordGrantAsync("alice", TokenServiceHost.UserPassword),
            "refresh_token" => await _client.RefreshAsync(_session.Refresh),
            _ => await _client.ClientCredentialsAsync("orders-service", TokenServiceHost.OrdersServiceSecret),
        };

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That(response.Headers.RetryAfter?.Delta, Is.EqualTo(DatabaseUnavailableHandler.RetryAfter));
        Assert.That(response.Headers.CacheControl?.NoStore, Is.True);
        var body = await response.JsonAsync();
        Assert.That(body.GetProperty("error").GetString(), Is.EqualTo(RetryLaterResult.Error));
        Assert.That(body.TryGetProperty("access_token", out _), Is.False);
    }

    [Test]
    public async Task A_revocation_is_answered_503_in_the_OAuth_error_shape()
    {
        using var response = await _client.RequestAsync(
            [new("token", _session.Refresh), new("client_id", "mobile-app")], path: "/connect/revoke");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That((await response.JsonAsync()).GetProperty("error").GetString(), Is.EqualTo(RetryLaterResult.Error));
    }

    [Test]
    public async Task An_identity_API_request_is_answered_503_as_problem_details_with_Retry_After()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/account/sessions");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _session.Access);

        using var response = await _client.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That(response.Headers.RetryAfter?.Delta, Is.EqualTo(DatabaseUnavailableHandler.RetryAfter));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        Assert.That((await response.JsonAsync()).GetProperty("status").GetInt32(), Is.EqualTo(503));
    }

    private static IEnumerable<TestCaseData> Probes()
    {
        yield return new TestCaseData("/health/ready", HttpStatusCode.ServiceUnavailable).SetName("Readiness_reports_not_ready");
        yield return new TestCaseData("/health/live", HttpStatusCode.OK).SetName("Liveness_stays_up");
        yield return new TestCaseData("/.well-known/openid-configuration", HttpStatusCode.OK).SetName("Discovery_is_still_served");
        yield return new TestCaseData("/.well-known/jwks.json", HttpStatusCode.OK).SetName("The_key_set_is_still_served");
    }

    [TestCaseSource(nameof(Probes))]
    public async Task Endpoints_answer_as_without_a_database(string path, HttpStatusCode expected)
    {
        using var response = await _client.GetAsync(path);

        Assert.That(response.StatusCode, Is.EqualTo(expected));
    }

    private static IEnumerable<TestCaseData> Failures()
    {
        yield return new TestCaseData(new NpgsqlException("Failed to connect", new SocketException((int)SocketError.ConnectionRefused)), true)
            .SetName("A_refused_connection_means_the_database_is_unavailable");
        yield return new TestCaseData(new NpgsqlException("Exception while reading from stream", new TimeoutException()), true)
            .SetName("A_command_timeout_means_the_database_is_unavailable");
        yield return new TestCaseData(new DbUpdateException("save failed", new PostgresException("terminating connection due to administrator command", "FATAL", "FATAL", "57P01")), true)
            .SetName("A_server_shutdown_wrapped_by_EF_Core_means_the_database_is_unavailable");
        yield return new TestCaseData(new PostgresException("the database system is starting up", "FATAL", "FATAL", "57P03"), true)
            .SetName("A_server_still_starting_means_the_database_is_unavailable");
        yield return new TestCaseData(new PostgresException("canceling statement due to statement timeout", "ERROR", "ERROR", "57014"), true)
            .SetName("A_statement_the_server_cancelled_means_the_database_is_unavailable");
        yield return new TestCaseData(new PostgresException("sorry, too many clients already", "FATAL", "FATAL", "53300"), true)
            .SetName("Too_many_connections_means_the_database_is_unavailable");
        yield return new TestCaseData(new SqliteException("database is locked", 5), true)
            .SetName("A_busy_SQLite_file_means_the_database_is_unavailable");
        yield return new TestCaseData(new DbUpdateException("save failed", new PostgresException("duplicate key value", "ERROR", "ERROR", "23505")), false)
            .SetName("A_constraint_violation_is_not_unavailability");
        yield return new TestCaseData(new PostgresException("syntax error", "ERROR", "ERROR", "42601"), false)
            .SetName("Bad_SQL_is_not_unavailability");
        yield return new TestCaseData(new InvalidOperationException("a bug"), false)
            .SetName("An_error_outside_the_database_is_not_unavailability");
    }

    [TestCaseSource(nameof(Failures))]
    public void Database_failures_are_classified(Exception failure, bool unavailable)
    {
        Assert.That(DatabaseUnavailableHandler.IsUnavailability(failure), Is.EqualTo(unavailable));
    }
}
