using System.Text.Json.Nodes;
using NUnit.Framework;

namespace Deployment.Tests;

/// <summary>
/// Every setting a process refuses to start without (its options validation in src/) reaches it, through the
/// environment (`__` for `:`) or, for what ships with the image, its appsettings.json.
/// </summary>
[TestFixture]
public sealed class ConfigurationTests
{
    /// <summary>Required settings by workload, from the options classes' validation.</summary>
    private static readonly (string Kind, string Workload, string[] Settings)[] Required =
    [
        ("Deployment", "token-service", ["Database__Provider", "Database__ConnectionString", "Tokens__Issuer", "SigningKeys__KeyEncryptionKey"]),
        ("Job", "token-service-migrate", ["Database__Provider", "Database__ConnectionString"]),
        ("Deployment", "gateway",
        [
            "TokenVerification__Authority", "TokenVerification__Issuer",
            "ReverseProxy__Clusters__token-service__Destinations__primary__Address",
            "ReverseProxy__Clusters__orders__Destinations__primary__Address",
            "ReverseProxy__Clusters__inventory__Destinations__primary__Address",
        ]),
        ("Deployment", "orders",
        [
            "TokenVerification__Authority", "TokenVerification__Issuer",
            "Inventory__BaseAddress", "ServiceIdentity__TokenEndpoint", "ServiceIdentity__ClientSecret",
        ]),
        ("Deployment", "inventory", ["TokenVerification__Authority", "TokenVerification__Issuer"]),
    ];

    /// <summary>Settings that must come from a Secret, never from a ConfigMap or the manifest itself.</summary>
    private static readonly string[] SecretSettings =
    [
        "SigningKeys__KeyEncryptionKey", "ServiceIdentity__ClientSecret",
        "DemoSeed__AdminPassword", "DemoSeed__UserPassword", "DemoSeed__OrdersServiceSecret", "DemoSeed__ReportingServiceSecret",
    ];

    /// <summary>Resource servers take their audiences from the appsettings.json inside their image.</summary>
    private static readonly (string Workload, string Settings)[] ImageSettings =
    [
        ("gateway", "src/Gateway/appsettings.json"),
        ("orders", "src/SampleServices/Orders/appsettings.json"),
        ("inventory", "src/SampleServices/Inventory/appsettings.json"),
    ];

    /// <summary>The workloads that take the client's address from a proxy in front of them: the ingress, the gateway.</summary>
    private static readonly string[] BehindAProxy = ["gateway", "token-service"];

    private static IEnumerable<TestCaseData> ProxiedWorkloads() =>
        from overlay in RenderedOverlay.Names
        from workload in BehindAProxy
        select new TestCaseData(overlay, workload);

    private static IEnumerable<TestCaseData> RequiredSettings() =>
        from overlay in RenderedOverlay.Names
        from workload in Required
        from setting in workload.Settings
        select new TestCaseData(overlay, workload.Kind, workload.Workload, setting);

    private static IEnumerable<TestCaseData> Containers() =>
        RenderedOverlay.Names.SelectMany(overlay => RenderedOverlay.Of(overlay).PodTemplates()
            .Where(pod => pod.RunsPlatformImage)
            .Select(pod => new TestCaseData(overlay, pod.Kind, pod.Name)));

    private static IEnumerable<TestCaseData> ResourceServers() =>
        ImageSettings.Select(s => new TestCaseData(s.Workload, s.Settings));

    private static ContainerEnvironment Environment(string overlay, string kind, string workload)
    {
        var rendered = RenderedOverlay.Of(overlay);
        return new ContainerEnvironment(rendered, rendered.PodTemplate(kind, workload).Containers.First());
    }

    [TestCaseSource(nameof(RequiredSettings))]
    public void The_setting_is_provided(string overlay, string kind, string workload, string setting)
    {
        var environment = Environment(overlay, kind, workload);

        Assert.That(environment.Variables, Does.ContainKey(setting));
        var value = environment.Variables[setting];
        Assert.That(value.Secret is not null || !string.IsNullOrWhiteSpace(value.Literal), Is.True, $"{setting} is empty");
    }

    [TestCaseSource(nameof(ProxiedWorkloads))]
    public void X_Forwarded_For_is_believed_only_from_a_private_network(string overlay, string workload)
    {
        var environment = Environment(overlay, "Deployment", workload);
        var networks = environment.Variables.Keys.Where(name => name.StartsWith("ForwardedHeaders__TrustedNetworks__", StringComparison.Ordinal))
            .Select(name => environment.Literal(name)).ToList();

        Assert.That(networks, Is.Not.Empty);
        Assert.That(networks.Select(n => System.Net.IPNetwork.TryParse(n, out var network) && IsPrivate(network)), Has.All.True, string.Join(", ", networks));
        Assert.That(environment.Literal("ForwardedHeaders__TrustAllProxies") ?? "false", Is.EqualTo("false").IgnoreCase);
    }

    private static readonly System.Net.IPNetwork[] PrivateNetworks =
        [System.Net.IPNetwork.Parse("10.0.0.0/8"), System.Net.IPNetwork.Parse("172.16.0.0/12"), System.Net.IPNetwork.Parse("192.168.0.0/16"), System.Net.IPNetwork.Parse("fc00::/7")];

    private static bool IsPrivate(System.Net.IPNetwork network) =>
        PrivateNetworks.Any(p => p.BaseAddress.AddressFamily == network.BaseAddress.AddressFamily
            && p.PrefixLength <= network.PrefixLength && p.Contains(network.BaseAddress));

    [TestCaseSource(nameof(Containers))]
    public void Every_reference_to_another_variable_resolves(string overlay, string kind, string workload)
    {
        Assert.That(Environment(overlay, kind, workload).UndefinedReferences, Is.Empty);
    }

    [TestCaseSource(nameof(Containers))]
    public void Secrets_and_credentials_come_from_secrets(string overlay, string kind, string workload)
    {
        var variables = Environment(overlay, kind, workload).Variables;

        foreach (var setting in SecretSettings.Where(variables.ContainsKey))
        {
            Assert.That(variables[setting].Secret, Is.Not.Null, setting);
        }

        if (variables.TryGetValue("Database__ConnectionString", out var connection))
        {
            Assert.That(connection.Literal, Does.Contain("Password=<secret postgres-app-credentials/password>"));
        }
    }

    [TestCaseSource(nameof(Containers))]
    public void Plain_http_inside_the_cluster_is_switched_on_explicitly(string overlay, string kind, string workload)
    {
        var environment = Environment(overlay, kind, workload);

        if (environment.Literal("TokenVerification__Authority")?.StartsWith("http://", StringComparison.Ordinal) == true)
        {
            Assert.That(environment.Literal("TokenVerification__AllowInsecureHttpMetadata"), Is.EqualTo("true"));
        }

        if (environment.Literal("ServiceIdentity__TokenEndpoint")?.StartsWith("http://", StringComparison.Ordinal) == true)
        {
            Assert.That(environment.Literal("ServiceIdentity__AllowInsecureHttp"), Is.EqualTo("true"));
        }
    }

    [TestCaseSource(nameof(Containers))]
    public void In_cluster_addresses_name_services_that_exist(string overlay, string kind, string workload)
    {
        var rendered = RenderedOverlay.Of(overlay);
        var addresses = Environment(overlay, kind, workload).Variables.Values
            .Select(v => v.Literal).Where(v => v?.StartsWith("http://", StringComparison.Ordinal) == true)
            .Select(v => new Uri(v!));

        foreach (var address in addresses)
        {
            var service = rendered.Single("Service", address.Host);
            Assert.That(service["spec"]!["ports"].Objects().Select(p => (int)p["port"]!), Does.Contain(address.Port), address.ToString());
        }
    }

    [TestCaseSource(nameof(ResourceServers))]
    public void Resource_servers_take_their_audiences_from_the_image(string workload, string appsettings)
    {
        var audiences = JsonNode.Parse(Repository.ReadText(appsettings))!["TokenVerification"]?["Audiences"].Strings();

        Assert.That(audiences, Is.Not.Empty);
        foreach (var overlay in RenderedOverlay.Names)
        {
            Assert.That(Environment(overlay, "Deployment", workload).Variables.Keys,
                Has.None.StartsWith("TokenVerification__Audiences"), "an overlay replaces the image's audiences");
        }
    }

    [Test]
    public void Demo_data_is_never_seeded_in_production()
    {
        var production = Environment("production", "Deployment", "token-service").Variables;

        Assert.That(production.Keys, Has.None.StartsWith("DemoSeed__"));
    }

    [Test]
    public void The_dev_overlay_seeds_demo_data_with_the_client_secret_orders_presents()
    {
        var tokenService = Environment("dev", "Deployment", "token-service").Variables;
        var orders = Environment("dev", "Deployment", "orders").Variables;

        Assert.That(tokenService["DemoSeed__Enabled"].Literal, Is.EqualTo("true"));
        Assert.That(tokenService["DemoSeed__OrdersServiceSecret"].Secret, Is.EqualTo(orders["ServiceIdentity__ClientSecret"].Secret));
    }

    [TestCaseSource(typeof(RenderedOverlay), nameof(RenderedOverlay.Names))]
    public void The_token_service_uses_PostgreSQL(string overlay)
    {
        Assert.That(Environment(overlay, "Deployment", "token-service").Literal("Database__Provider"), Is.EqualTo("Postgres"));
    }

    [Test]
    public void Production_verifies_the_database_server_certificate()
    {
        var environment = Environment("production", "Deployment", "token-service");

        Assert.That(environment.Literal("Database__ConnectionString"), Does.Contain("SSL Mode=VerifyFull"));
    }
}
