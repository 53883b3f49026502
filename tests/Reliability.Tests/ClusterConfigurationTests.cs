using System.Net;
using NUnit.Framework;
using TestSupport;

namespace Reliability.Tests;

/// <summary>
/// Issue 7: the services honour the manifests' configuration through environment variables, in a local run that
/// mimics the cluster (two gateways and two token services behind one entry point, sharing one PostgreSQL).
/// </summary>
[TestFixture]
public sealed class ClusterConfigurationTests : ScenarioBase
{
    private static readonly string Manifests = string.Join('\n',
        Directory.EnumerateFiles(Repository.PathOf("k8s"), "*.yaml", SearchOption.AllDirectories)
            .Select(File.ReadAllText));

    [Test]
    public void Every_setting_a_process_gets_is_named_in_k8s_or_listed_as_local_only()
    {
        var unnamed = from process in Cluster.All
                      from setting in process.Environment.Keys
                      where !IsNamed(setting)
                      select $"{process.Name}: {setting}";

        Assert.That(unnamed, Is.Empty);
    }

    private static bool IsNamed(string setting) =>
        Manifests.Contains($"{setting}=", StringComparison.Ordinal) || Manifests.Contains($"name: {setting}\n", StringComparison.Ordinal)
        || LocalCluster.LocalOnlySettings.ContainsKey(setting);

    [Test]
    public async Task A_device_signs_in_and_calls_both_APIs_through_the_entry_point()
    {
        var pair = await Client.SignInAsync();

        foreach (var path in PlatformClient.ApiPaths)
        {
            using var response = await Client.GetApiAsync(path, pair.Access);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), path);
        }
    }

    [Test]
    public async Task Every_gateway_accepts_tokens_from_every_token_service_instance()
    {
        using var http = new HttpClient();
        foreach (var tokenService in Cluster.TokenServices)
        {
            using var direct = new PlatformClient(tokenService.Address, Cluster);
            var pair = await direct.SignInAsync();
            foreach (var gateway in Cluster.Gateways)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(gateway.Address, "/api/orders"));
                request.Headers.Authorization = new("Bearer", pair.Access);
                using var response = await http.SendAsync(request);
                Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), $"{tokenService.Name} → {gateway.Name}");
            }
        }
    }

    [Test]
    public async Task Token_services_started_together_on_an_empty_store_agree_on_one_signing_key()
    {
        await using var connection = new Npgsql.NpgsqlConnection(Cluster.ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("SELECT count(*) FROM signing_keys", connection);

        Assert.That(await command.ExecuteScalarAsync(), Is.EqualTo(1L));
    }
}
