using NUnit.Framework;

namespace Deployment.Tests;

[TestFixture]
public sealed class KustomizeTests
{
    [TestCaseSource(typeof(RenderedOverlay), nameof(RenderedOverlay.Names))]
    public void The_overlay_builds_with_kustomize(string overlay)
    {
        var build = RenderedOverlay.Of(overlay).Build;

        Assert.That(build.ExitCode, Is.Zero, $"kubectl kustomize k8s/overlays/{overlay}:\n{build.Error}");
    }

    [TestCaseSource(typeof(RenderedOverlay), nameof(RenderedOverlay.Names))]
    public void Every_rendered_object_matches_its_Kubernetes_schema(string overlay)
    {
        var rendered = RenderedOverlay.Of(overlay);

        Assert.That(rendered.Objects, Is.Not.Empty);
        Assert.That(rendered.SchemaProblems, Is.Empty);
    }

    [TestCaseSource(typeof(RenderedOverlay), nameof(RenderedOverlay.Names))]
    public void Only_the_CloudNativePG_cluster_goes_without_a_schema_check(string overlay)
    {
        var skipped = RenderedOverlay.Of(overlay).SkippedCustomResources;

        Assert.That(skipped, Has.All.StartsWith("postgresql.cnpg.io/v1 Cluster "));
    }

    [TestCaseSource(typeof(RenderedOverlay), nameof(RenderedOverlay.Names))]
    public void No_secret_value_is_in_the_manifests(string overlay)
    {
        var kinds = RenderedOverlay.Of(overlay).Objects.Select(o => o.Kind());

        Assert.That(kinds, Has.None.EqualTo("Secret"));
    }
}
