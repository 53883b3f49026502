using System.Text.RegularExpressions;
using NUnit.Framework;

namespace Deployment.Tests;

/// <summary>
/// The secrets the manifests reference are exactly the ones docs/deployment.md tells operators to create
/// (its "Secrets" table), key by key, so a deploy never waits on a secret nobody was told about.
/// </summary>
[TestFixture]
public sealed partial class SecretsDocumentationTests
{
    private const string Guide = "docs/deployment.md";

    private sealed record DocumentedSecret(string Name, string[] Keys, string[] Overlays, string CreatedBy);

    private static List<DocumentedSecret> DocumentedSecrets()
    {
        var section = Regex.Match(Repository.ReadText(Guide), @"^## Secrets\n(?<body>.*?)(?=^## )", RegexOptions.Multiline | RegexOptions.Singleline);
        Assert.That(section.Success, Is.True, $"{Guide} has no '## Secrets' section");
        return [.. section.Groups["body"].Value.Split('\n')
            .Where(line => line.StartsWith("| `", StringComparison.Ordinal))
            .Select(line => line.Split('|', StringSplitOptions.TrimEntries))
            .Select(cells => new DocumentedSecret(
                cells[1].Trim('`'),
                [.. Backticked().Matches(cells[2]).Select(m => m.Groups[1].Value)],
                cells[4].Split(',', StringSplitOptions.TrimEntries),
                cells[5]))];
    }

    /// <summary>Every (secret, key) an overlay's objects reference.</summary>
    private static HashSet<string> ReferencedSecretKeys(RenderedOverlay rendered)
    {
        var references = new HashSet<string>(StringComparer.Ordinal);
        foreach (var pod in rendered.PodTemplates())
        {
            foreach (var reference in pod.Containers.SelectMany(c => c["env"].Objects()).Select(e => e["valueFrom"]?["secretKeyRef"]).OfType<System.Text.Json.Nodes.JsonNode>())
            {
                references.Add($"{reference["name"]}/{reference["key"]}");
            }

            foreach (var secret in pod.Spec["volumes"].Objects().Select(v => v["secret"]).OfType<System.Text.Json.Nodes.JsonNode>())
            {
                references.UnionWith(secret["items"].Objects().Select(item => $"{secret["secretName"]}/{item["key"]}"));
            }
        }

        foreach (var tls in rendered.OfKind("Ingress").SelectMany(i => i["spec"]!["tls"].Objects()))
        {
            references.UnionWith([$"{tls["secretName"]}/tls.crt", $"{tls["secretName"]}/tls.key"]);
        }

        foreach (var cluster in rendered.OfKind("Cluster"))
        {
            var owner = (string?)cluster["spec"]?["bootstrap"]?["initdb"]?["secret"]?["name"];
            references.UnionWith([$"{owner}/username", $"{owner}/password"]);
        }

        return references;
    }

    [TestCaseSource(typeof(RenderedOverlay), nameof(RenderedOverlay.Names))]
    public void The_overlay_references_exactly_the_documented_secrets(string overlay)
    {
        var documented = DocumentedSecrets().Where(s => s.Overlays.Contains(overlay))
            .SelectMany(s => s.Keys.Select(key => $"{s.Name}/{key}"));

        Assert.That(ReferencedSecretKeys(RenderedOverlay.Of(overlay)), Is.EquivalentTo(documented));
    }

    [Test]
    public void Every_secret_the_operator_creates_has_a_create_command_with_each_key()
    {
        var commands = Regex.Replace(Repository.ReadText(Guide), @"\\\n\s*", " ")
            .Split('\n').Where(line => line.Contains("create secret", StringComparison.Ordinal)).ToList();

        foreach (var secret in DocumentedSecrets().Where(s => s.CreatedBy.StartsWith("you", StringComparison.Ordinal)))
        {
            var command = commands.SingleOrDefault(c => Regex.IsMatch(c, $@"create secret (?:generic|tls) {Regex.Escape(secret.Name)}(\s|$)"));
            Assert.That(command, Is.Not.Null, $"no `kubectl create secret … {secret.Name}` in {Guide}");
            var keys = command!.Contains("create secret tls", StringComparison.Ordinal)
                ? ["tls.crt", "tls.key"]
                : KeyArgument().Matches(command).Select(m => m.Groups[1].Value);
            Assert.That(keys, Is.EquivalentTo(secret.Keys), secret.Name);
        }
    }

    [GeneratedRegex("`([^`]+)`")]
    private static partial Regex Backticked();

    [GeneratedRegex(@"--from-(?:literal|file)=([^=\s]+)=")]
    private static partial Regex KeyArgument();
}
