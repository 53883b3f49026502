using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace Deployment.Tests;

/// <summary>
/// One Kustomize overlay of k8s/overlays as `kubectl kustomize` renders it, parsed and schema-checked by
/// validator/validate.mjs. Rendered once per test run.
/// </summary>
internal sealed class RenderedOverlay
{
    private static readonly ConcurrentDictionary<string, Lazy<RenderedOverlay>> Cache = new(StringComparer.Ordinal);

    private RenderedOverlay(string name, string directory, ProcessResult build, ProcessResult? validation)
    {
        Name = name;
        Directory = directory;
        Build = build;
        if (validation is null)
        {
            return;
        }

        if (validation.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"The manifest validator failed (run ./test.sh, or `npm ci` in tests/Deployment.Tests/validator):\n{validation.Error}");
        }

        var result = JsonNode.Parse(validation.Output)!.AsObject();
        objects = [.. result["objects"]!.AsArray().Select(node => node!.AsObject())];
        SchemaProblems = [.. result["problems"]!.AsArray().Select(node => (string)node!)];
        SkippedCustomResources = [.. result["skipped"]!.AsArray().Select(node => (string)node!)];
    }

    /// <summary>The namespace every overlay deploys into.</summary>
    public const string Namespace = "auth-platform";

    public static IEnumerable<string> Names => ["dev", "production"];

    public string Name { get; }

    /// <summary>The kustomization's directory, relative to the repository root.</summary>
    public string Directory { get; }

    /// <summary>What `kubectl kustomize` returned and printed.</summary>
    public ProcessResult Build { get; }

    public IReadOnlyList<string> SchemaProblems { get; } = [];

    public IReadOnlyList<string> SkippedCustomResources { get; } = [];

    private readonly IReadOnlyList<JsonObject>? objects;

    /// <summary>Every rendered object; throws with kustomize's output when the overlay does not build.</summary>
    public IReadOnlyList<JsonObject> Objects => objects
        ?? throw new InvalidOperationException($"kustomize build of {Directory} failed:\n{Build.Error}");

    public static RenderedOverlay Of(string name) => Render(name, Path.Combine("k8s", "overlays", name));

    /// <summary>Another kustomization under k8s/ (e.g. k8s/bootstrap-admin), rendered and checked the same way.</summary>
    public static RenderedOverlay OfKustomization(string directory) => Render(directory, directory);

    private static RenderedOverlay Render(string name, string directory) =>
        Cache.GetOrAdd(directory, key => new Lazy<RenderedOverlay>(() => RenderDirectory(name, key))).Value;

    public IEnumerable<JsonObject> OfKind(string kind) => Objects.Where(o => o.Kind() == kind);

    public JsonObject Single(string kind, string name) =>
        OfKind(kind).SingleOrDefault(o => o.Name() == name)
        ?? throw new InvalidOperationException($"The {Name} overlay renders no {kind} {name}.");

    /// <summary>The pod templates of every Deployment, StatefulSet and Job.</summary>
    public IEnumerable<PodTemplate> PodTemplates() =>
        Objects.Where(o => o.Kind() is "Deployment" or "StatefulSet" or "Job")
            .Select(o => new PodTemplate(o.Kind(), o.Name(), o["spec"]!["template"]!.AsObject()));

    public PodTemplate PodTemplate(string kind, string name) =>
        PodTemplates().SingleOrDefault(t => t.Kind == kind && t.Name == name)
        ?? throw new InvalidOperationException($"The {Name} overlay renders no {kind} {name}.");

    private static RenderedOverlay RenderDirectory(string name, string directory)
    {
        var kubectl = Environment.GetEnvironmentVariable("KUBECTL") is { Length: > 0 } configured ? configured : "kubectl";
        var build = Processes.Run(kubectl, ["kustomize", directory], Repository.Root);
        if (build.ExitCode != 0)
        {
            return new RenderedOverlay(name, directory, build, validation: null);
        }

        var validator = Repository.PathOf(Path.Combine("tests", "Deployment.Tests", "validator"));
        var validation = Processes.Run("node", ["validate.mjs"], validator, input: build.Output);
        return new RenderedOverlay(name, directory, build, validation);
    }
}
