namespace DocEngine.Tests.Infrastructure;

/// <summary>
/// Tests that must not share the cores: the BenchmarkDotNet smoke run, which saturates them, the browser tests (Chromium
/// plus a server process each), and assertions on the order in time of work done in parallel, which other tests' load
/// can blur. xUnit runs collections that disable parallelization after the parallel ones, one test at a time.
/// </summary>
[CollectionDefinition(Collection, DisableParallelization = true)]
public sealed class RunsAlone
{
    public const string Collection = "Runs alone";
}
