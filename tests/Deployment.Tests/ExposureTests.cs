using NUnit.Framework;

namespace Deployment.Tests;

[TestFixture]
public sealed class ExposureTests
{
    [TestCaseSource(typeof(RenderedOverlay), nameof(RenderedOverlay.Names))]
    public void Only_the_gateway_is_behind_an_ingress(string overlay)
    {
        var ingresses = RenderedOverlay.Of(overlay).OfKind("Ingress").ToList();
        var backends = ingresses.Select(i => i["spec"]!["defaultBackend"]).Where(b => b is not null)
            .Concat(ingresses.SelectMany(i => i["spec"]!["rules"].Objects()
                .SelectMany(rule => rule["http"]?["paths"].Objects() ?? []).Select(path => path["backend"])));

        Assert.That(ingresses, Is.Not.Empty);
        Assert.That(backends.Select(b => (string?)b!["service"]?["name"]), Has.All.EqualTo("gateway"));
    }

    [TestCaseSource(typeof(RenderedOverlay), nameof(RenderedOverlay.Names))]
    public void No_service_is_reachable_from_outside_the_cluster_directly(string overlay)
    {
        var types = RenderedOverlay.Of(overlay).OfKind("Service").Select(s => (string?)s["spec"]!["type"] ?? "ClusterIP");

        Assert.That(types, Has.All.EqualTo("ClusterIP"));
    }

    [TestCaseSource(typeof(RenderedOverlay), nameof(RenderedOverlay.Names))]
    public void The_ingress_serves_https_for_the_host_the_tokens_name_as_issuer(string overlay)
    {
        var rendered = RenderedOverlay.Of(overlay);
        var ingress = rendered.Single("Ingress", "gateway");
        var host = (string)ingress["spec"]!["rules"]![0]!["host"]!;
        var tokenService = new ContainerEnvironment(rendered, rendered.PodTemplate("Deployment", "token-service").Containers.First());
        var gateway = new ContainerEnvironment(rendered, rendered.PodTemplate("Deployment", "gateway").Containers.First());

        Assert.That(ingress["spec"]!["tls"].Objects().SelectMany(t => t["hosts"].Strings()), Does.Contain(host));
        Assert.That(tokenService.Literal("Tokens__Issuer"), Is.EqualTo($"https://{host}"));
        Assert.That(gateway.Literal("TokenVerification__Issuer"), Is.EqualTo($"https://{host}"));
    }

    private static readonly string[] Processes = ["gateway", "token-service", "orders", "inventory"];

    private static IEnumerable<TestCaseData> Deployments() =>
        RenderedOverlay.Names.SelectMany(overlay => Processes.Select(name => new TestCaseData(overlay, name)));

    [TestCaseSource(nameof(Deployments))]
    public void Metrics_and_health_are_served_on_a_management_port_of_their_own(string overlay, string deployment)
    {
        var rendered = RenderedOverlay.Of(overlay);
        var container = rendered.PodTemplate("Deployment", deployment).Containers.First();
        var ports = container["ports"].Objects().ToDictionary(p => (string?)p["name"] ?? "", p => (int)p["containerPort"]!);

        Assert.That(new ContainerEnvironment(rendered, container).Literal("Management__Port"), Is.EqualTo($"{ports.GetValueOrDefault("management")}"));
        Assert.That(ports["management"], Is.Not.EqualTo(ports["http"]));
    }

    [TestCaseSource(nameof(Deployments))]
    public void The_service_exposes_only_the_public_port(string overlay, string deployment)
    {
        var service = RenderedOverlay.Of(overlay).Single("Service", deployment);

        Assert.That(service["spec"]!["ports"].Objects().Select(p => p["targetPort"]?.ToString()), Is.EqualTo(new[] { "http" }));
    }
}
