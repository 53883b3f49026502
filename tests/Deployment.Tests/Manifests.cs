using System.Text.Json.Nodes;

namespace Deployment.Tests;

/// <summary>Reading the fields of rendered Kubernetes objects.</summary>
internal static class Manifests
{
    public static string Kind(this JsonObject o) => (string?)o["kind"] ?? "";

    public static string Name(this JsonObject o) => (string?)o["metadata"]?["name"] ?? "";

    public static IEnumerable<JsonObject> Objects(this JsonNode? array) =>
        array?.AsArray().Select(node => node!.AsObject()) ?? [];

    public static IEnumerable<string> Strings(this JsonNode? array) =>
        array?.AsArray().Select(node => (string)node!) ?? [];

    public static IReadOnlyDictionary<string, string> StringMap(this JsonNode? map) =>
        map?.AsObject().ToDictionary(p => p.Key, p => (string)p.Value!, StringComparer.Ordinal)
        ?? new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Whether a label selector (matchLabels, matchExpressions with In/NotIn/Exists/DoesNotExist) matches.</summary>
    public static bool Selects(this JsonNode? selector, IReadOnlyDictionary<string, string> labels)
    {
        if (selector is null)
        {
            return true;
        }

        var matchesLabels = selector["matchLabels"].StringMap()
            .All(l => labels.TryGetValue(l.Key, out var value) && value == l.Value);
        return matchesLabels && selector["matchExpressions"].Objects().All(e =>
        {
            var key = (string)e["key"]!;
            var has = labels.TryGetValue(key, out var value);
            return (string)e["operator"]! switch
            {
                "Exists" => has,
                "DoesNotExist" => !has,
                "In" => has && e["values"].Strings().Contains(value),
                "NotIn" => !has || !e["values"].Strings().Contains(value),
                var other => throw new InvalidOperationException($"Unknown selector operator {other}."),
            };
        });
    }
}

/// <summary>The pod template of a Deployment, StatefulSet or Job.</summary>
internal sealed record PodTemplate(string Kind, string Name, JsonObject Template)
{
    /// <summary>The images built from this repository (k8s/ names them registry.example.com/auth-platform/…).</summary>
    public const string PlatformImagePrefix = "registry.example.com/auth-platform/";

    public JsonObject Spec => Template["spec"]!.AsObject();

    public IReadOnlyDictionary<string, string> Labels => Template["metadata"]?["labels"].StringMap()
        ?? new Dictionary<string, string>(StringComparer.Ordinal);

    public IEnumerable<JsonObject> Containers => Spec["initContainers"].Objects().Concat(Spec["containers"].Objects());

    public bool RunsPlatformImage => Containers.Any(c => ((string)c["image"]!).StartsWith(PlatformImagePrefix, StringComparison.Ordinal));

    public override string ToString() => $"{Kind} {Name}";
}
