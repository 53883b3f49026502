using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using NUnit.Framework;

namespace Deployment.Tests;

/// <summary>
/// The service images (src/Dockerfile, one for all services), checked statically since there is no container
/// engine here: multi-stage, pinned base images, a non-root user, the port the manifests expect, every
/// referenced project in the build context, no secrets, and a documented build command per deployed image.
/// </summary>
[TestFixture]
public sealed partial class DockerfileTests
{
    private const string Dockerfile = "src/Dockerfile";

    /// <summary>The app user of Microsoft's .NET images; k8s/ runs the pods as this UID.</summary>
    private const string AppUser = "1654";

    private static readonly (string Project, string Image)[] Services =
    [
        ("src/Gateway", "gateway"),
        ("src/TokenService", "token-service"),
        ("src/SampleServices/Orders", "orders"),
        ("src/SampleServices/Inventory", "inventory"),
    ];

    private static IEnumerable<TestCaseData> ServiceCases() => Services.Select(s => new TestCaseData(s.Project, s.Image));

    private sealed record Instruction(string Keyword, string Arguments);

    /// <summary>The Dockerfile's instructions in order, continuation lines joined, comments dropped.</summary>
    private static List<Instruction> Parse() =>
        [.. Regex.Replace(Repository.ReadText(Dockerfile), @"\\\n", " ").Split('\n')
            .Select(line => line.Trim())
            .Where(line => line.Length > 0 && !line.StartsWith('#'))
            .Select(line => line.Split(' ', 2))
            .Select(parts => new Instruction(parts[0].ToUpperInvariant(), parts.ElementAtOrDefault(1)?.Trim() ?? ""))];

    private static List<Instruction> FinalStage(List<Instruction> instructions) =>
        instructions.Skip(instructions.FindLastIndex(i => i.Keyword == "FROM")).ToList();

    private static List<string> BaseImages() =>
        [.. Parse().Where(i => i.Keyword == "FROM").Select(i => i.Arguments.Split(' ')[0])];

    [Test]
    public void Builds_with_the_SDK_and_runs_on_the_smaller_ASP_NET_runtime_image()
    {
        var images = BaseImages();

        Assert.That(images, Has.Count.GreaterThanOrEqualTo(2));
        Assert.That(images[0], Does.StartWith("mcr.microsoft.com/dotnet/sdk:"));
        Assert.That(images[^1], Does.StartWith("mcr.microsoft.com/dotnet/aspnet:"));
    }

    [Test]
    public void Every_base_image_is_pinned_to_an_exact_version()
    {
        Assert.That(BaseImages(), Has.All.Match(@"^[^:@\s]+(:\d+\.\d+\.\d+[\w.-]*|@sha256:[0-9a-f]{64})$"));
    }

    [Test]
    public void The_runtime_and_SDK_match_the_target_framework_and_global_json()
    {
        var framework = XDocument.Parse(Repository.ReadText("Directory.Build.props")).Descendants("TargetFramework").Single().Value;
        var sdk = Version.Parse(JsonNode.Parse(Repository.ReadText("global.json"))!["sdk"]!["version"]!.GetValue<string>());
        var images = BaseImages();
        var sdkImage = Version.Parse(images[0].Split(':')[1].Split('-')[0]);

        Assert.That(images[^1], Does.Contain($":{framework["net".Length..]}."));
        Assert.That(sdkImage, Is.GreaterThanOrEqualTo(sdk));
        Assert.That((sdkImage.Major, sdkImage.Minor), Is.EqualTo((sdk.Major, sdk.Minor)));
    }

    [Test]
    public void The_image_runs_as_the_non_root_app_user()
    {
        var users = FinalStage(Parse()).Where(i => i.Keyword == "USER").Select(i => i.Arguments).ToList();

        Assert.That(users, Is.Not.Empty);
        Assert.That(users[^1], Is.EqualTo(AppUser));
    }

    [TestCaseSource(nameof(ServiceCases))]
    public void The_image_listens_on_the_port_the_deployment_declares(string project, string image)
    {
        var final = FinalStage(Parse());
        var port = final.Where(i => i.Keyword == "ENV").Select(i => HttpPorts().Match(i.Arguments)).Single(m => m.Success).Groups[1].Value;

        Assert.That(final.Where(i => i.Keyword == "EXPOSE").Select(i => i.Arguments), Does.Contain(port));
        foreach (var overlay in RenderedOverlay.Names)
        {
            var container = RenderedOverlay.Of(overlay).PodTemplate("Deployment", image).Containers.First();
            Assert.That(container["ports"].Objects().Where(p => (string?)p["name"] == "http").Select(p => (int)p["containerPort"]!),
                Is.EqualTo(new[] { int.Parse(port, System.Globalization.CultureInfo.InvariantCulture) }));
        }
    }

    [TestCaseSource(nameof(ServiceCases))]
    public void The_build_context_holds_every_project_the_service_references(string project, string image)
    {
        var copied = Parse().Where(i => i.Keyword == "COPY" && !i.Arguments.StartsWith("--from", StringComparison.Ordinal))
            .SelectMany(i => i.Arguments.Split(' ')[..^1]).ToList();
        var ignored = Repository.ReadText(".dockerignore").Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#'));

        foreach (var referenced in ProjectClosure($"{project}/{Path.GetFileName(project)}.csproj"))
        {
            Assert.That(copied.Any(source => referenced.StartsWith(source, StringComparison.Ordinal)), Is.True, $"{referenced} is not copied");
            Assert.That(ignored.Where(pattern => referenced.StartsWith(pattern.TrimEnd('/'), StringComparison.Ordinal)), Is.Empty, referenced);
        }
    }

    [TestCaseSource(nameof(ServiceCases))]
    public void The_guide_builds_the_image_from_the_service_project(string project, string image)
    {
        var guide = Repository.ReadText("docs/deployment.md");

        Assert.That(guide, Does.Match($@"docker build -f {Dockerfile} --build-arg PROJECT={Regex.Escape(project)} +-t \$registry/{image}:"));
    }

    [Test]
    public void No_secret_is_baked_into_the_image()
    {
        var settings = Parse().Where(i => i.Keyword is "ENV" or "ARG").Select(i => i.Arguments.Split('=', ' ')[0]);

        Assert.That(settings, Has.None.Match("(?i)password|secret|key|connection|token"));
    }

    [Test]
    public void The_build_context_leaves_out_build_output_local_state_and_git()
    {
        var ignored = Repository.ReadText(".dockerignore").Split('\n').Select(l => l.Trim()).ToList();

        Assert.That(ignored, Is.SupersetOf(new[] { "**/bin/", "**/obj/", ".git/", ".local/" }));
    }

    [Test]
    public void Every_image_the_manifests_deploy_is_built_from_a_service_project()
    {
        var deployed = RenderedOverlay.Names.SelectMany(o => RenderedOverlay.Of(o).PodTemplates())
            .SelectMany(p => p.Containers).Select(c => (string)c["image"]!)
            .Where(i => i.StartsWith(PodTemplate.PlatformImagePrefix, StringComparison.Ordinal))
            .Select(i => i[PodTemplate.PlatformImagePrefix.Length..].Split(':', '@')[0]).Distinct();

        Assert.That(deployed, Is.EquivalentTo(Services.Select(s => s.Image)));
    }

    /// <summary>The project and every project it references, transitively, as repository-relative paths.</summary>
    private static List<string> ProjectClosure(string project)
    {
        var found = new List<string>();
        var pending = new Stack<string>([project]);
        while (pending.TryPop(out var current))
        {
            if (found.Contains(current))
            {
                continue;
            }

            found.Add(current);
            var directory = Path.GetDirectoryName(current)!;
            foreach (var reference in XDocument.Parse(Repository.ReadText(current)).Descendants("ProjectReference"))
            {
                var relative = Path.GetRelativePath(Repository.Root, Path.GetFullPath(Path.Combine(Repository.Root, directory, reference.Attribute("Include")!.Value.Replace('\\', '/'))));
                pending.Push(relative.Replace('\\', '/'));
            }
        }

        return found;
    }

    [GeneratedRegex(@"^ASPNETCORE_HTTP_PORTS=(\d+)$")]
    private static partial Regex HttpPorts();
}
