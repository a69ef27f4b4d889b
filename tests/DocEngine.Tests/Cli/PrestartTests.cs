extern alias cli;
using OfflineWorkers = cli::DocEngine.Cli.Common.OfflineWorkers;
using DocEngine.Tests.Infrastructure;

namespace DocEngine.Tests.Cli;

/// <summary>
/// A one-shot offline command starts its worker as the process starts (issue 18), and only when it will use one: the
/// command takes that worker instead of starting another; help, --server and other commands start none.
/// </summary>
[Collection(RunsAlone.Collection)] // OfflineWorkers keeps the prestarted pool in a static
public sealed class PrestartTests
{
    [Fact]
    public async Task An_offline_verify_of_a_file_takes_the_worker_started_with_the_process_and_other_commands_start_none()
    {
        using var files = new TempDirectory();
        var pdf = Path.Combine(files.Path, "signed.pdf");
        await File.WriteAllBytesAsync(pdf, "%PDF-1.7\n"u8.ToArray());

        OfflineWorkers.Prestart(["verify", "--json", pdf]);
        await using (var taken = OfflineWorkers.Start())
        await using (var second = OfflineWorkers.Start())
        {
            Assert.True(taken.WasPrestarted);
            Assert.False(second.WasPrestarted); // taken once
            Assert.True(await StartsAsync(taken), "the prestarted pool starts its worker");
        }

        foreach (var args in new string[][] { ["verify", "--server", "http://x", pdf], ["verify", pdf, "--help"], ["upload", pdf], ["verify", "missing.pdf"] })
        {
            OfflineWorkers.Prestart(args);
            await using var fresh = OfflineWorkers.Start();
            Assert.False(fresh.WasPrestarted, string.Join(' ', args));
        }
        await OfflineWorkers.DisposeUnclaimedAsync();
    }

    private static async Task<bool> StartsAsync(OfflineWorkers workers)
    {
        for (var attempt = 0; attempt < 100 && workers.Pool.Counts.Started == 0; attempt++)
        {
            await Task.Delay(20);
        }
        return workers.Pool.Counts.Started >= 1;
    }
}
