using System.Text.Json.Nodes;
using NUnit.Framework;

namespace Deployment.Tests;

/// <summary>
/// k8s/bootstrap-admin renders the one-off Job <c>token-service-bootstrap-admin</c> (<c>TokenService bootstrap-admin</c>):
/// the production migration Job with another command and the operator's credentials from a secret, applied on its own.
/// </summary>
[TestFixture]
public sealed class BootstrapAdminJobTests
{
    private const string Kustomization = "k8s/bootstrap-admin";
    private const string JobName = "token-service-bootstrap-admin";

    private static RenderedOverlay Rendered => RenderedOverlay.OfKustomization(Kustomization);

    private static PodTemplate Job => Rendered.PodTemplate("Job", JobName);

    private static PodTemplate Migration => RenderedOverlay.Of("production").PodTemplate("Job", "token-service-migrate");

    [Test]
    public void It_builds_and_every_object_matches_its_Kubernetes_schema()
    {
        Assert.That(Rendered.Build.ExitCode, Is.Zero, Rendered.Build.Error);
        Assert.That(Rendered.SchemaProblems, Is.Empty);
    }

    [Test]
    public void Applying_the_bootstrap_selector_applies_the_job_alone()
    {
        var selected = Rendered.Objects.Where(o => (string?)o["metadata"]?["labels"]?["app.kubernetes.io/component"] == "bootstrap");

        Assert.That(selected.Select(o => $"{o.Kind()} {o.Name()}"), Is.EqualTo(new[] { $"Job {JobName}" }));
    }

    [Test]
    public void It_runs_bootstrap_admin_with_the_operators_credentials_from_the_secret()
    {
        var container = Job.Containers.Single();
        var environment = new ContainerEnvironment(Rendered, container);

        Assert.Multiple(() =>
        {
            Assert.That(container["args"].Strings(), Is.EqualTo(new[] { "bootstrap-admin" }));
            Assert.That(environment.Variables["BootstrapAdmin__UserName"].Secret, Is.EqualTo(new SecretKey(JobName, "username")));
            Assert.That(environment.Variables["BootstrapAdmin__Password"].Secret, Is.EqualTo(new SecretKey(JobName, "password")));
            Assert.That(container["args"]!.ToJsonString(), Does.Not.Contain("Password"), "never a password on the command line");
        });
    }

    [Test]
    public void Apart_from_command_and_credentials_its_pod_is_the_production_migration_pod()
    {
        var job = Job.Template.DeepClone().AsObject();
        var container = job["spec"]!["containers"]![0]!.AsObject();
        container["args"] = new JsonArray("migrate");
        var env = container["env"]!.AsArray();
        foreach (var credential in env.Where(e => ((string)e!["name"]!).StartsWith("BootstrapAdmin__", StringComparison.Ordinal)).ToList())
        {
            env.Remove(credential);
        }

        Assert.That(JsonNode.DeepEquals(job, Migration.Template), Is.True,
            "same image, settings, database credentials, hardening and labels (so the NetworkPolicies let it reach PostgreSQL)");
    }
}
