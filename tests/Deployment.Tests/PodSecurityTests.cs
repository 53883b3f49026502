using System.Text.Json.Nodes;
using NUnit.Framework;

namespace Deployment.Tests;

[TestFixture]
public sealed class PodSecurityTests
{
    private static IEnumerable<TestCaseData> Pods() =>
        RenderedOverlay.Names.SelectMany(overlay => RenderedOverlay.Of(overlay).PodTemplates()
            .Select(pod => new TestCaseData(overlay, pod.Kind, pod.Name)));

    private static IEnumerable<TestCaseData> PlatformPods() =>
        RenderedOverlay.Names.SelectMany(overlay => RenderedOverlay.Of(overlay).PodTemplates()
            .Where(pod => pod.RunsPlatformImage)
            .Select(pod => new TestCaseData(overlay, pod.Kind, pod.Name)));

    private static IEnumerable<TestCaseData> Containers() =>
        RenderedOverlay.Names.SelectMany(overlay => RenderedOverlay.Of(overlay).PodTemplates()
            .SelectMany(pod => pod.Containers.Select(c => new TestCaseData(overlay, pod.Kind, pod.Name, (string)c["name"]!))));

    private static JsonObject Container(string overlay, string kind, string workload, string container) =>
        RenderedOverlay.Of(overlay).PodTemplate(kind, workload).Containers.Single(c => (string?)c["name"] == container);

    [TestCaseSource(typeof(RenderedOverlay), nameof(RenderedOverlay.Names))]
    public void The_namespace_enforces_the_restricted_pod_security_standard(string overlay)
    {
        var labels = RenderedOverlay.Of(overlay).Single("Namespace", RenderedOverlay.Namespace)["metadata"]!["labels"].StringMap();

        Assert.That(labels["pod-security.kubernetes.io/enforce"], Is.EqualTo("restricted"));
    }

    [TestCaseSource(typeof(RenderedOverlay), nameof(RenderedOverlay.Names))]
    public void Everything_is_deployed_into_that_namespace(string overlay)
    {
        var namespaced = RenderedOverlay.Of(overlay).Objects.Where(o => o.Kind() != "Namespace");

        Assert.That(namespaced.Select(o => (string?)o["metadata"]!["namespace"]), Has.All.EqualTo(RenderedOverlay.Namespace));
    }

    [TestCaseSource(nameof(Pods))]
    public void The_pod_runs_as_a_non_root_user_with_the_runtime_default_seccomp_profile(string overlay, string kind, string workload)
    {
        var security = RenderedOverlay.Of(overlay).PodTemplate(kind, workload).Spec["securityContext"];

        Assert.That((bool?)security?["runAsNonRoot"], Is.True);
        Assert.That((long?)security?["runAsUser"], Is.GreaterThan(0));
        Assert.That((string?)security?["seccompProfile"]?["type"], Is.EqualTo("RuntimeDefault"));
    }

    [TestCaseSource(nameof(Pods))]
    public void The_pod_gets_no_Kubernetes_API_token(string overlay, string kind, string workload)
    {
        var pod = RenderedOverlay.Of(overlay).PodTemplate(kind, workload);

        Assert.That((bool?)pod.Spec["automountServiceAccountToken"], Is.False);
    }

    [TestCaseSource(nameof(Pods))]
    public void The_pod_exposes_nothing_on_its_node(string overlay, string kind, string workload)
    {
        var pod = RenderedOverlay.Of(overlay).PodTemplate(kind, workload);

        Assert.That((bool?)pod.Spec["hostNetwork"] ?? false, Is.False);
        Assert.That(pod.Containers.SelectMany(c => c["ports"].Objects()).Select(p => p["hostPort"]), Has.All.Null);
    }

    [TestCaseSource(nameof(Containers))]
    public void The_container_has_a_read_only_root_filesystem_no_privilege_escalation_and_no_capabilities(
        string overlay, string kind, string workload, string container)
    {
        var security = Container(overlay, kind, workload, container)["securityContext"];

        Assert.That((bool?)security?["readOnlyRootFilesystem"], Is.True);
        Assert.That((bool?)security?["allowPrivilegeEscalation"], Is.False);
        Assert.That(security?["capabilities"]?["drop"].Strings(), Is.EquivalentTo(new[] { "ALL" }));
        Assert.That(security?["capabilities"]?["add"], Is.Null);
    }

    [TestCaseSource(nameof(Containers))]
    public void The_container_requests_and_limits_cpu_and_memory(string overlay, string kind, string workload, string container)
    {
        var resources = Container(overlay, kind, workload, container)["resources"];

        foreach (var bound in new[] { "requests", "limits" })
        {
            Assert.That(resources?[bound]?["cpu"], Is.Not.Null, $"{bound}.cpu");
            Assert.That(resources?[bound]?["memory"], Is.Not.Null, $"{bound}.memory");
        }
    }

    [TestCaseSource(nameof(Containers))]
    public void The_container_image_has_a_pinned_tag(string overlay, string kind, string workload, string container)
    {
        var image = (string)Container(overlay, kind, workload, container)["image"]!;
        var tag = image.Contains('@', StringComparison.Ordinal) ? "digest" : image[(image.LastIndexOf('/') + 1)..].Split(':').ElementAtOrDefault(1);

        Assert.That(tag, Is.Not.Null.And.Not.Empty, $"{image} has no tag");
        Assert.That(tag, Is.Not.EqualTo("latest"));
    }

    [TestCaseSource(nameof(PlatformPods))]
    public void Platform_containers_write_only_to_an_emptyDir_at_tmp(string overlay, string kind, string workload)
    {
        var pod = RenderedOverlay.Of(overlay).PodTemplate(kind, workload);

        var emptyDirs = pod.Spec["volumes"].Objects().Where(v => v["emptyDir"] is not null).Select(v => (string)v["name"]!).ToHashSet();
        foreach (var container in pod.Containers)
        {
            var writable = container["volumeMounts"].Objects().Where(m => (bool?)m["readOnly"] != true);
            Assert.That(writable.Select(m => ((string?)m["mountPath"], emptyDirs.Contains((string)m["name"]!))),
                Is.EquivalentTo(new[] { ("/tmp", true) }));
        }
    }
}
