using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Jobs;

namespace DocEngine.Benchmarks;

/// <summary>
/// A suite's own job, used only when the command line names none. BenchmarkDotNet adds a <c>[SimpleJob]</c> to whatever
/// <c>--job</c> asks for, so <c>--job dry</c> used to run every suite twice, the second time with all its iterations; a
/// job marked default gives way to <c>--job</c>, <c>--inProcess</c>, <c>--iterationCount</c> and <c>--quick</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class SuiteJobAttribute(int warmupCount, int iterationCount)
    : JobConfigBaseAttribute(Job.Default.WithLaunchCount(1).WithWarmupCount(warmupCount).WithIterationCount(iterationCount).AsDefault());
