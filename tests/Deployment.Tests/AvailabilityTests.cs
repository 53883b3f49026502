using System.Text.Json.Nodes;
using NUnit.Framework;

namespace Deployment.Tests;

[TestFixture]
public sealed class AvailabilityTests
{
    /// <summary>How long ASP.NET Core's host waits for requests in flight after SIGTERM (HostOptions.ShutdownTimeout).</summary>
    private const int HostShutdownSeconds = 30;

    private static readonly string[] Services = ["gateway", "token-service", "orders", "inventory"];

    private static readonly string[] ScaledServices = ["gateway", "token-service"];

    private static IEnumerable<TestCaseData> Deployments() =>
        RenderedOverlay.Names.SelectMany(overlay => Services.Select(name => new TestCaseData(overlay, name)));

    private static IEnumerable<TestCaseData> ScaledDeployments() =>
        RenderedOverlay.Names.SelectMany(overlay => ScaledServices.Select(name => new TestCaseData(overlay, name)));

    private static JsonObject MainContainer(string overlay, string deployment) =>
        RenderedOverlay.Of(overlay).PodTemplate("Deployment", deployment).Spec["containers"].Objects().First();

    [TestCaseSource(nameof(Deployments))]
    public void Readiness_follows_the_dependencies_and_liveness_only_the_process(string overlay, string deployment)
    {
        var container = MainContainer(overlay, deployment);

        Assert.That((string?)container["startupProbe"]?["httpGet"]?["path"], Is.EqualTo("/health/live"));
        Assert.That((string?)container["readinessProbe"]?["httpGet"]?["path"], Is.EqualTo("/health/ready"));
        Assert.That((string?)container["livenessProbe"]?["httpGet"]?["path"], Is.EqualTo("/health/live"));
    }

    [TestCaseSource(nameof(Deployments))]
    public void Probes_reach_the_management_port_the_process_serves_health_on(string overlay, string deployment)
    {
        var rendered = RenderedOverlay.Of(overlay);
        var container = MainContainer(overlay, deployment);
        var ports = container["ports"].Objects().ToDictionary(p => (string?)p["name"] ?? "", p => (int)p["containerPort"]!);
        var managementPort = new ContainerEnvironment(rendered, container).Literal("Management__Port");

        foreach (var probe in new[] { "startupProbe", "readinessProbe", "livenessProbe" })
        {
            var port = container[probe]!["httpGet"]!["port"]!;
            Assert.That(port.GetValueKind() == System.Text.Json.JsonValueKind.String ? ports.GetValueOrDefault((string)port!) : (int)port,
                Is.EqualTo(int.Parse(managementPort!, System.Globalization.CultureInfo.InvariantCulture)), probe);
        }
    }

    [TestCaseSource(nameof(Deployments))]
    public void Shutdown_outlasts_endpoint_removal_and_the_requests_in_flight(string overlay, string deployment)
    {
        var pod = RenderedOverlay.Of(overlay).PodTemplate("Deployment", deployment);
        var preStopSleep = (int?)MainContainer(overlay, deployment)["lifecycle"]?["preStop"]?["sleep"]?["seconds"] ?? 0;

        Assert.That(preStopSleep, Is.GreaterThanOrEqualTo(5));
        Assert.That((int?)pod.Spec["terminationGracePeriodSeconds"], Is.GreaterThan(preStopSleep + HostShutdownSeconds));
    }

    [TestCaseSource(nameof(ScaledDeployments))]
    public void Several_replicas_run_and_an_autoscaler_adds_more(string overlay, string deployment)
    {
        var rendered = RenderedOverlay.Of(overlay);
        var autoscaler = rendered.OfKind("HorizontalPodAutoscaler")
            .Single(h => (string?)h["spec"]!["scaleTargetRef"]!["name"] == deployment);

        Assert.That((int?)rendered.Single("Deployment", deployment)["spec"]!["replicas"], Is.GreaterThanOrEqualTo(2));
        Assert.That((string?)autoscaler["spec"]!["scaleTargetRef"]!["kind"], Is.EqualTo("Deployment"));
        Assert.That((int?)autoscaler["spec"]!["minReplicas"], Is.GreaterThanOrEqualTo(2));
        Assert.That((int?)autoscaler["spec"]!["maxReplicas"], Is.GreaterThan((int)autoscaler["spec"]!["minReplicas"]!));
    }

    [TestCaseSource(nameof(ScaledDeployments))]
    public void A_disruption_budget_keeps_all_but_one_replica_during_node_drains(string overlay, string deployment)
    {
        var rendered = RenderedOverlay.Of(overlay);
        var labels = rendered.PodTemplate("Deployment", deployment).Labels;

        var budgets = rendered.OfKind("PodDisruptionBudget").Where(b => b["spec"]!["selector"].Selects(labels)).ToList();

        Assert.That(budgets, Has.Count.EqualTo(1));
        Assert.That((int?)budgets[0]["spec"]!["maxUnavailable"], Is.EqualTo(1));
    }

    [TestCaseSource(nameof(Deployments))]
    public void Replicas_spread_over_nodes_and_zones(string overlay, string deployment)
    {
        var pod = RenderedOverlay.Of(overlay).PodTemplate("Deployment", deployment);
        var constraints = pod.Spec["topologySpreadConstraints"].Objects()
            .Where(c => c["labelSelector"].Selects(pod.Labels) && c["matchLabelKeys"].Strings().Contains("app.kubernetes.io/name"))
            .ToDictionary(c => (string)c["topologyKey"]!, c => (string)c["whenUnsatisfiable"]!);

        Assert.That(constraints, Does.ContainKey("kubernetes.io/hostname").WithValue("DoNotSchedule"));
        Assert.That(constraints, Does.ContainKey("topology.kubernetes.io/zone"));
    }

    [TestCaseSource(typeof(RenderedOverlay), nameof(RenderedOverlay.Names))]
    public void Migrations_run_once_in_a_job_and_never_in_the_replicas(string overlay)
    {
        var rendered = RenderedOverlay.Of(overlay);
        var job = rendered.PodTemplate("Job", "token-service-migrate").Containers.Single();
        var replica = MainContainer(overlay, "token-service");

        Assert.That(job["args"].Strings(), Is.EqualTo(new[] { "migrate" }));
        Assert.That((string?)job["image"], Is.EqualTo((string?)replica["image"]));
        Assert.That(new ContainerEnvironment(rendered, replica).Literal("Database__MigrateOnStart"), Is.EqualTo("false"));
        Assert.That((string?)rendered.PodTemplate("Job", "token-service-migrate").Spec["restartPolicy"], Is.EqualTo("Never"));
    }

    [TestCaseSource(typeof(RenderedOverlay), nameof(RenderedOverlay.Names))]
    public void The_migration_job_migrates_the_database_the_token_service_uses(string overlay)
    {
        var rendered = RenderedOverlay.Of(overlay);
        var job = new ContainerEnvironment(rendered, rendered.PodTemplate("Job", "token-service-migrate").Containers.Single());
        var replica = new ContainerEnvironment(rendered, MainContainer(overlay, "token-service"));

        Assert.That(job.Literal("Database__Provider"), Is.EqualTo(replica.Literal("Database__Provider")));
        Assert.That(job.Literal("Database__ConnectionString"), Is.EqualTo(replica.Literal("Database__ConnectionString")));
    }
}
