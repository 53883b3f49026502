using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Validation;

// In process: the projects are already built in Release by bench/bench.sh, and no second build may run alongside.
var config = DefaultConfig.Instance
    .AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithWarmupCount(3).WithIterationCount(10))
    .WithOptions(ConfigOptions.DisableOptimizationsValidator);
if (args is ["--check"])
{
    // Sanity check outside BenchmarkDotNet: every variant must authenticate its token on every call.
    var benchmarks = new TokenVerificationBenchmarks();
    benchmarks.Setup();
    Console.WriteLine(await benchmarks.CheckAsync());
    benchmarks.Cleanup();
    return;
}

BenchmarkSwitcher.FromTypes([typeof(TokenVerificationBenchmarks)]).Run(args, config);
