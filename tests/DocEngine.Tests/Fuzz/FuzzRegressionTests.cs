using DocEngine.Fuzz;
using DocEngine.Tests.Infrastructure;

namespace DocEngine.Tests.Fuzz;

/// <summary>
/// Every committed input of fuzz/regressions/HARNESS/ (the campaign's seeds, and every crash, hang or runaway
/// allocation it found, each with its fix) replayed through the same harness the campaign runs: each returns or refuses
/// with a sentence, within its time limit.
/// </summary>
public sealed class FuzzRegressionTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(20);

    public static TheoryData<string, string> Inputs()
    {
        var data = new TheoryData<string, string>();
        var root = Path.Combine(RepoPaths.Root, "fuzz", "regressions");
        foreach (var harness in Harnesses.All.Keys)
        {
            var folder = Path.Combine(root, harness);
            foreach (var file in Directory.Exists(folder) ? Directory.EnumerateFiles(folder).Order(StringComparer.Ordinal) : Enumerable.Empty<string>())
            {
                data.Add(harness, Path.GetFileName(file));
            }
        }
        return data;
    }

    [Fact]
    public void Every_harness_has_committed_inputs()
    {
        var covered = Inputs().Select(row => (string)row[0]).ToHashSet();
        Assert.All(Harnesses.All.Keys, harness => Assert.Contains(harness, covered));
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public async Task Each_committed_input_is_handled_within_its_limit(string harness, string input)
    {
        var bytes = await File.ReadAllBytesAsync(Path.Combine(RepoPaths.Root, "fuzz", "regressions", harness, input));

        var run = Task.Run(() => Harnesses.All[harness](bytes));

        await run.WaitAsync(Limit); // a hang fails here; any exception but a refusal fails here too
    }
}
