using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Deployment.Tests;

/// <summary>Where one environment variable's value comes from: a literal (ConfigMap or inline) or a secret's key.</summary>
internal sealed record EnvironmentValue(string? Literal, SecretKey? Secret);

internal sealed record SecretKey(string Secret, string Key);

/// <summary>
/// The environment a container starts with, as the kubelet builds it: envFrom ConfigMaps first, then env in
/// order, with <c>$(NAME)</c> references to variables defined before expanded.
/// </summary>
internal sealed partial class ContainerEnvironment
{
    private readonly Dictionary<string, EnvironmentValue> variables = new(StringComparer.Ordinal);
    private readonly List<string> undefinedReferences = [];

    public ContainerEnvironment(RenderedOverlay overlay, JsonObject container)
    {
        foreach (var source in container["envFrom"].Objects())
        {
            var configMap = (string?)source["configMapRef"]?["name"]
                ?? throw new NotSupportedException("Only ConfigMaps are read through envFrom: secrets are named key by key.");
            foreach (var (key, value) in overlay.Single("ConfigMap", configMap)["data"].StringMap())
            {
                variables[key] = new EnvironmentValue(value, null);
            }
        }

        foreach (var variable in container["env"].Objects())
        {
            variables[(string)variable["name"]!] = variable["valueFrom"] is { } from
                ? FromReference(overlay, from)
                : new EnvironmentValue(Expand((string?)variable["value"] ?? ""), null);
        }
    }

    public IReadOnlyDictionary<string, EnvironmentValue> Variables => variables;

    /// <summary><c>$(NAME)</c> references to variables not defined before them (the kubelet leaves them as they are).</summary>
    public IReadOnlyList<string> UndefinedReferences => undefinedReferences;

    public string? Literal(string name) => variables.TryGetValue(name, out var value) ? value.Literal : null;

    private static EnvironmentValue FromReference(RenderedOverlay overlay, JsonNode from)
    {
        if (from["secretKeyRef"] is { } secret)
        {
            return new EnvironmentValue(null, new SecretKey((string)secret["name"]!, (string)secret["key"]!));
        }

        var configMapKey = from["configMapKeyRef"]
            ?? throw new NotSupportedException($"Unsupported valueFrom: {from.ToJsonString()}");
        return new EnvironmentValue(
            (string?)overlay.Single("ConfigMap", (string)configMapKey["name"]!)["data"]?[(string)configMapKey["key"]!], null);
    }

    private string Expand(string value) => Reference().Replace(value, match =>
    {
        var name = match.Groups["name"].Value;
        if (!variables.TryGetValue(name, out var referenced))
        {
            undefinedReferences.Add(name);
            return match.Value;
        }

        // A secret stays a placeholder: its value is not in the manifests.
        return referenced.Literal ?? $"<secret {referenced.Secret!.Secret}/{referenced.Secret.Key}>";
    });

    [GeneratedRegex(@"\$\((?<name>[A-Za-z_][A-Za-z0-9_.-]*)\)")]
    private static partial Regex Reference();
}
