using System.Text.Json.Nodes;
using NUnit.Framework;

namespace Deployment.Tests;

/// <summary>
/// Evaluates the rendered NetworkPolicies the way Kubernetes does (a pod selected by a policy of a direction is
/// isolated in that direction; a connection needs the sender's egress and the receiver's ingress) over every
/// pair of the platform's pods, plus the ingress controller and cluster DNS outside the namespace.
/// </summary>
[TestFixture]
public sealed class NetworkPolicyTests
{
    private static readonly string[] Parties =
        ["ingress-controller", "gateway", "token-service", "orders", "inventory", "token-service-migrate", "postgres"];

    /// <summary>The connections the platform needs; every other pair must be refused.</summary>
    private static readonly HashSet<(string From, string To)> Intended =
    [
        ("ingress-controller", "gateway"),
        ("gateway", "token-service"), ("gateway", "orders"), ("gateway", "inventory"),
        ("orders", "token-service"), ("orders", "inventory"),
        ("inventory", "token-service"),
        ("token-service", "postgres"), ("token-service-migrate", "postgres"),
    ];

    /// <summary>
    /// CloudNativePG's instance manager must reach the Kubernetes API, whose address differs per cluster, so
    /// production allows its pods ports 443 and 6443 to any destination, which takes in the ingress controller's
    /// HTTPS port (the same public entry anyone has). docs/deployment.md tells operators to narrow it.
    /// </summary>
    private static readonly HashSet<(string From, string To)> ReachesTheApiServerPorts = [("postgres", "ingress-controller")];

    private static readonly Endpoint IngressController = new(
        Labels("kubernetes.io/metadata.name", "ingress-nginx"), Labels("app.kubernetes.io/name", "ingress-nginx"), 443, "https", "TCP");

    private static readonly Endpoint ClusterDns = new(
        Labels("kubernetes.io/metadata.name", "kube-system"), Labels("k8s-app", "kube-dns"), 53, "dns", "UDP");

    private static IEnumerable<TestCaseData> Pairs() =>
        from overlay in RenderedOverlay.Names
        from source in Parties
        from target in Parties
        where source != target
        select new TestCaseData(overlay, source, target,
            Intended.Contains((source, target)) || (overlay == "production" && ReachesTheApiServerPorts.Contains((source, target))));

    [TestCaseSource(typeof(RenderedOverlay), nameof(RenderedOverlay.Names))]
    public void Every_pod_is_isolated_in_both_directions_by_default(string overlay)
    {
        var defaultDeny = RenderedOverlay.Of(overlay).OfKind("NetworkPolicy").Where(p =>
            p["spec"]!["podSelector"]!.AsObject().Count == 0
            && p["spec"]!["ingress"] is null && p["spec"]!["egress"] is null);

        Assert.That(defaultDeny.SelectMany(p => p["spec"]!["policyTypes"].Strings()), Is.SupersetOf(new[] { "Ingress", "Egress" }));
    }

    [TestCaseSource(nameof(Pairs))]
    public void Only_the_intended_connections_are_allowed(string overlay, string source, string target, bool intended)
    {
        var rendered = RenderedOverlay.Of(overlay);

        Assert.That(Allows(rendered, EndpointOf(rendered, source), EndpointOf(rendered, target)), Is.EqualTo(intended));
    }

    private static readonly Endpoint Prometheus = new(
        Labels("kubernetes.io/metadata.name", "monitoring"), Labels("app.kubernetes.io/name", "prometheus"), 0, "", "TCP");

    private static readonly string[] Scraped = ["gateway", "token-service", "orders", "inventory"];

    private static IEnumerable<TestCaseData> ScrapedPods() =>
        from overlay in RenderedOverlay.Names
        from pod in Scraped
        select new TestCaseData(overlay, pod);

    [TestCaseSource(nameof(ScrapedPods))]
    public void Only_the_monitoring_namespace_reaches_the_management_port(string overlay, string pod)
    {
        var rendered = RenderedOverlay.Of(overlay);
        var publicPort = EndpointOf(rendered, pod);
        var management = rendered.PodTemplates().Single(p => p.Labels.GetValueOrDefault("app.kubernetes.io/name") == pod)
            .Containers.SelectMany(c => c["ports"].Objects()).Single(p => (string?)p["name"] == "management");
        var managementPort = publicPort with { Port = (int)management["containerPort"]!, PortName = "management" };
        var neighbours = Parties.Where(p => p != pod && p != "postgres" && p != "token-service-migrate").Select(p => EndpointOf(rendered, p));

        Assert.That(Allows(rendered, Prometheus, managementPort), Is.True, "monitoring → management port");
        Assert.That(Allows(rendered, Prometheus, publicPort), Is.False, "monitoring → public port");
        Assert.That(neighbours.Select(n => Allows(rendered, n, managementPort)), Has.All.False, "platform pods and the ingress controller → management port");
    }

    [TestCaseSource(typeof(RenderedOverlay), nameof(RenderedOverlay.Names))]
    public void Every_pod_may_resolve_names_through_cluster_DNS(string overlay)
    {
        var rendered = RenderedOverlay.Of(overlay);
        var pods = Parties.Where(p => p != "ingress-controller").Select(p => EndpointOf(rendered, p));

        Assert.That(pods.Select(pod => Allows(rendered, pod, ClusterDns)), Has.All.True);
    }

    private static Endpoint EndpointOf(RenderedOverlay rendered, string party)
    {
        if (party == "ingress-controller")
        {
            return IngressController;
        }

        var namespaceLabels = rendered.Single("Namespace", RenderedOverlay.Namespace)["metadata"]!["labels"].StringMap()
            .Append(new("kubernetes.io/metadata.name", RenderedOverlay.Namespace)).ToDictionary(StringComparer.Ordinal);
        var pod = rendered.PodTemplates().SingleOrDefault(p => p.Labels.GetValueOrDefault("app.kubernetes.io/name") == party);
        if (pod is not null)
        {
            var port = pod.Containers.SelectMany(c => c["ports"].Objects()).FirstOrDefault();
            return new Endpoint(namespaceLabels, pod.Labels,
                (int?)port?["containerPort"] ?? 0, (string?)port?["name"] ?? "", "TCP");
        }

        // The CloudNativePG operator creates the PostgreSQL pods: their labels are the inherited ones plus its own.
        var cluster = rendered.OfKind("Cluster").Single();
        var labels = cluster["spec"]!["inheritedMetadata"]!["labels"].StringMap()
            .Append(new("cnpg.io/cluster", cluster.Name())).ToDictionary(StringComparer.Ordinal);
        Assert.That(labels.GetValueOrDefault("app.kubernetes.io/name"), Is.EqualTo(party));
        return new Endpoint(namespaceLabels, labels, 5432, "postgresql", "TCP");
    }

    private static bool Allows(RenderedOverlay rendered, Endpoint source, Endpoint target) =>
        Permits(rendered, "Ingress", selected: target, peer: source, port: target)
        && Permits(rendered, "Egress", selected: source, peer: target, port: target);

    /// <summary>Whether the policies in the namespace let <paramref name="selected"/> talk to <paramref name="peer"/> in one direction.</summary>
    private static bool Permits(RenderedOverlay rendered, string direction, Endpoint selected, Endpoint peer, Endpoint port)
    {
        if (!selected.InNamespace(RenderedOverlay.Namespace))
        {
            return true; // Policies elsewhere are not ours; these endpoints stand for unrestricted pods.
        }

        var policies = rendered.OfKind("NetworkPolicy")
            .Where(p => p["spec"]!["podSelector"].Selects(selected.PodLabels)
                && p["spec"]!["policyTypes"].Strings().Contains(direction))
            .ToList();
        if (policies.Count == 0)
        {
            return true;
        }

        var (rulesField, peersField) = direction == "Ingress" ? ("ingress", "from") : ("egress", "to");
        return policies.SelectMany(p => p["spec"]![rulesField].Objects()).Any(rule =>
            (rule[peersField] is null || rule[peersField].Objects().Any(p => Matches(p, peer)))
            && (rule["ports"] is null || rule["ports"].Objects().Any(p => MatchesPort(p, port))));
    }

    private static bool Matches(JsonObject peer, Endpoint endpoint)
    {
        if (peer["ipBlock"] is not null)
        {
            return false; // Pod addresses are not known here; no policy of the platform admits pods by address.
        }

        var inNamespace = peer["namespaceSelector"] is { } namespaces
            ? namespaces.Selects(endpoint.NamespaceLabels)
            : endpoint.InNamespace(RenderedOverlay.Namespace);
        return inNamespace && peer["podSelector"].Selects(endpoint.PodLabels);
    }

    private static bool MatchesPort(JsonObject rule, Endpoint endpoint)
    {
        if (((string?)rule["protocol"] ?? "TCP") != endpoint.Protocol)
        {
            return false;
        }

        var port = rule["port"];
        return port is null
            || (port.GetValueKind() == System.Text.Json.JsonValueKind.Number ? (int)port == endpoint.Port : (string?)port == endpoint.PortName);
    }

    private static Dictionary<string, string> Labels(string key, string value) => new(StringComparer.Ordinal) { [key] = value };

    private sealed record Endpoint(
        IReadOnlyDictionary<string, string> NamespaceLabels,
        IReadOnlyDictionary<string, string> PodLabels,
        int Port,
        string PortName,
        string Protocol)
    {
        public bool InNamespace(string name) => NamespaceLabels.GetValueOrDefault("kubernetes.io/metadata.name") == name;
    }
}
