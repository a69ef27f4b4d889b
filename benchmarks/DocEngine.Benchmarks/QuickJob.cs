using BenchmarkDotNet.Configs;
using Perfolizer.Horology;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace DocEngine.Benchmarks;

/// <summary>
/// <c>--quick</c>: every suite in this process (no generated project, no build, no process per benchmark), one warm-up
/// and three 100 ms iterations after the pilot. About a second per benchmark: enough to see a regression by a factor,
/// not to record a figure (use the suites' own jobs for that).
/// </summary>
internal static class QuickJob
{
    public const string Option = "--quick";

    public static IConfig Config { get; } = DefaultConfig.Instance.AddJob(Job.Default
        .WithToolchain(InProcessEmitToolchain.Instance)
        .WithLaunchCount(1)
        .WithWarmupCount(1)
        .WithIterationCount(3)
        .WithIterationTime(TimeInterval.FromMilliseconds(100))
        .WithId("Quick"));
}
