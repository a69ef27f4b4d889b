using DocEngine.Core.Previews;
using DocEngine.Tests.Infrastructure.SignedPdfs;
using System.Text.Json;
using DocEngine.Core.Batch;
using DocEngine.Tests.Corpus;
using DocEngine.Tests.Infrastructure;

namespace DocEngine.Tests.Batch;

/// <summary>
/// <c>docengine batch</c> and the core runner: every file of the real corpus accounted for, resume after SIGKILL without
/// redoing finished files, no work on a rerun, and hostile files refused while the batch goes on.
/// </summary>
public sealed class BatchTests : IDisposable
{
    private readonly TempDirectory _work = new();

    public void Dispose() => _work.Dispose();

    [SkippableFact]
    public async Task Batch_over_the_shared_corpus_accounts_for_every_file_as_ok_attention_or_refused_with_a_sentence()
    {
        var corpus = Path.Combine(SharedCorpus.RequireOrSkip(), "corpus");
        var output = Path.Combine(_work.Path, "out");

        var summary = await RunInProcessAsync(corpus, output, concurrency: 2);

        var report = BatchFolders.Report(output);
        var inputs = BatchFolders.Inputs(corpus);
        Assert.Equal(inputs, report.Select(l => l.Input).Order(StringComparer.Ordinal));
        Assert.All(CorpusManifest.Corpus(), entry => Assert.Contains(entry.Name, inputs));
        Assert.All(report, line => Assert.True(line.Outcome == BatchOutcome.Ok
                || (line.Outcome is BatchOutcome.Refused or BatchOutcome.Attention && line.Message.EndsWith('.')),
            $"{line.Input}: {line.Outcome} \"{line.Message}\""));
        Assert.Equal((inputs.Count, 0L), (summary.Files, summary.Failed));
        Assert.Equal(inputs.Count, summary.Ok + summary.Attention + summary.Refused);
        // Every PDF's line carries its signature verdict; nothing else has one.
        Assert.All(report.Where(l => l.Input.StartsWith("pdf-signed/", StringComparison.Ordinal)), line => Assert.StartsWith("VERDICT_", line.Verdict));
        Assert.All(report.Where(l => l.Input.StartsWith("jpeg/", StringComparison.Ordinal)), line => Assert.Null(line.Verdict));
        Assert.All(report.SelectMany(l => l.Outputs), path => Assert.True(File.Exists(Path.Combine(output, path)), path));

        // Signed PDFs come out of normalize byte for byte, as the core promises (compressing would break the signature).
        var signed = report.Where(l => l.Input.StartsWith("pdf-signed/", StringComparison.Ordinal)
            && l.Outputs.FirstOrDefault(o => o.EndsWith("/signatures.json", StringComparison.Ordinal)) is { } verdict
            && JsonDocument.Parse(File.ReadAllText(Path.Combine(output, verdict))).RootElement.GetProperty("verdict").GetString() != "notSigned").ToList();
        Assert.True(signed.Count >= 5, $"Only {signed.Count} signed PDFs were verified.");
        Assert.All(signed, line => Assert.Equal(line.Sha256,
            TestData.Sha256OfFile(Path.Combine(output, line.Outputs.Single(o => o.EndsWith("/normalized.pdf", StringComparison.Ordinal))))));
    }

    [Fact]
    public async Task A_killed_batch_rerun_finishes_only_the_rest_reports_every_file_once_and_a_third_run_does_no_work()
    {
        var input = Path.Combine(_work.Path, "in");
        BatchFolders.WritePhotos(Path.Combine(input, "photos"), 40);
        for (var rotate = 0; rotate < 360; rotate += 90)
        {
            await File.WriteAllBytesAsync(Path.Combine(input, $"form-{rotate}.pdf"), Previews.PreviewRenderingTests.SimplePdf(rotate));
        }
        var total = BatchFolders.Inputs(input).Count;
        var output = Path.Combine(_work.Path, "out");
        string[] command = ["batch", input, "--out", output, "--concurrency", "1", "--json"];
        var cache = Path.Combine(_work.Path, "cache");

        using (var first = CliProcess.Start(cache, command))
        {
            await WaitUntilAsync(() => BatchFolders.Report(output).Count >= 5);
            first.Kill();
        }
        var before = BatchFolders.Report(output);
        Assert.InRange(before.Count, 5, total - 1);
        var doneBefore = before.SelectMany(l => BatchFolders.DoneMarkers(output, l)).ToDictionary(path => path, File.GetLastWriteTimeUtc);
        // A kill in the middle of a write leaves a cut-short last line; the rerun must not trip over it.
        await File.AppendAllTextAsync(Path.Combine(output, "report.jsonl"), "{\"input\":\"photos/pho");

        var second = await CliProcess.RunAsync(cache, command);

        Assert.True(second.ExitCode == 0, second.ToString());
        var resumed = BatchFolders.Summary(second.Stdout);
        var after = BatchFolders.Report(output);
        Assert.Equal(BatchFolders.Inputs(input), after.Select(l => l.Input).Order(StringComparer.Ordinal)); // each input exactly once
        Assert.All(after, line => Assert.Equal(BatchOutcome.Ok, line.Outcome));
        Assert.Equal((total, total, 0L), (resumed.Files, resumed.Ok, resumed.Failed));
        Assert.InRange(resumed.Skipped, before.Count, total - 1);
        Assert.Equal(total - resumed.Skipped, resumed.Processed);
        Assert.All(doneBefore, done => Assert.Equal(done.Value, File.GetLastWriteTimeUtc(done.Key))); // not redone
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(output, "tmp")));

        var results = BatchFolders.Results(output);
        var reportText = await File.ReadAllTextAsync(Path.Combine(output, "report.jsonl"));
        var third = await CliProcess.RunAsync(cache, command);

        Assert.True(third.ExitCode == 0, third.ToString());
        var idle = BatchFolders.Summary(third.Stdout);
        Assert.Equal((total, total, 0L, 0L, 0L), (idle.Files, idle.Skipped, idle.Processed, idle.BytesIn, idle.BytesOut));
        Assert.Equal(results, BatchFolders.Results(output));
        Assert.Equal(reportText, await File.ReadAllTextAsync(Path.Combine(output, "report.jsonl")));
    }

    [Fact]
    public async Task Hostile_files_are_refused_with_a_sentence_and_the_batch_goes_on()
    {
        var input = Path.Combine(_work.Path, "in");
        BatchFolders.WritePhotos(input, 2, 320, 240);
        await File.WriteAllBytesAsync(Path.Combine(input, "cut-off.jpg"), BatchFolders.TruncatedJpeg());
        await File.WriteAllBytesAsync(Path.Combine(input, "empty.pdf"), []);
        await File.WriteAllTextAsync(Path.Combine(input, "letter.pdf"), "Dear Sir or Madam, this is not a PDF.");
        await File.WriteAllBytesAsync(Path.Combine(input, "photo-000-copy.jpg"), await File.ReadAllBytesAsync(Path.Combine(input, "photo-000.jpg")));
        var output = Path.Combine(input, "results-inside-the-input"); // must not be taken for input

        var summary = await RunInProcessAsync(input, output, concurrency: 2);

        var report = BatchFolders.Report(output).ToDictionary(l => l.Input);
        Assert.Equal(["cut-off.jpg", "empty.pdf", "letter.pdf", "photo-000-copy.jpg", "photo-000.jpg", "photo-001.jpg"], report.Keys.Order(StringComparer.Ordinal));
        Assert.Equal((6L, 3L, 3L, 0L), (summary.Files, summary.Ok, summary.Refused, summary.Failed));
        Assert.StartsWith("This JPEG image is damaged", report["cut-off.jpg"].Message);
        Assert.StartsWith("This file is empty (0 bytes)", report["empty.pdf"].Message);
        Assert.All(new[] { "cut-off.jpg", "empty.pdf", "letter.pdf" }, name =>
        {
            Assert.Equal(BatchOutcome.Refused, report[name].Outcome);
            Assert.Empty(report[name].Outputs);
            Assert.DoesNotContain(" at ", report[name].Message, StringComparison.Ordinal); // a sentence, not a stack trace
        });
        Assert.Equal(BatchOutcome.Skipped, report["photo-000.jpg"].Ops.Single(o => o.Op == BatchOp.Verify).Outcome);
        // The copy shares its original's results, published once even when both were worked on at the same time.
        var original = report["photo-000.jpg"];
        Assert.Equal(original.Outputs, report["photo-000-copy.jpg"].Outputs);
        Assert.Equal(3, Directory.GetDirectories(Path.Combine(output, "results", original.Sha256![..2], original.Sha256)).Length);
        Assert.InRange(summary.Processed, 5, 6);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(output, "tmp")));
    }

    [Fact]
    public async Task Changing_one_steps_options_redoes_that_step_only_and_rewrites_the_report_for_the_new_options()
    {
        var input = Path.Combine(_work.Path, "in");
        BatchFolders.WritePhotos(input, 3, 320, 240);
        var output = Path.Combine(_work.Path, "out");
        await RunInProcessAsync(input, output, concurrency: 1);
        var previews = BatchFolders.Report(output).SelectMany(l => l.Outputs).Where(o => o.Contains("/preview-", StringComparison.Ordinal)).ToList();

        var refit = await RunInProcessAsync(input, output, concurrency: 1, maxBytes: 1_000_000);

        var report = BatchFolders.Report(output);
        Assert.Equal(3, report.Count);
        Assert.Equal((3L, 3L, 0L), (refit.Files, refit.Processed, refit.Skipped));
        Assert.All(report, line => Assert.Contains(line.Outputs, o => o.EndsWith("/normalized.pdf", StringComparison.Ordinal)));
        Assert.Equal(previews, report.SelectMany(l => l.Outputs).Where(o => o.Contains("/preview-", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_tampered_signature_and_a_repaired_pdf_need_attention_while_a_web_page_renamed_pdf_is_refused()
    {
        var input = Path.Combine(_work.Path, "in");
        Directory.CreateDirectory(input);
        await File.WriteAllBytesAsync(Path.Combine(input, "tampered.pdf"), Tamper.FlipByteInText(PdfSigner.Sign(FormPdf.Create().Bytes).Bytes));
        await File.WriteAllBytesAsync(Path.Combine(input, "signed.pdf"), PdfSigner.Sign(FormPdf.Create().Bytes).Bytes);
        await File.WriteAllBytesAsync(Path.Combine(input, "repaired.pdf"), BatchFolders.PdfWithBrokenXref());
        await File.WriteAllTextAsync(Path.Combine(input, "letter.pdf"), "<!DOCTYPE html><html><body><p>Dear officer,</p></body></html>");
        var output = Path.Combine(_work.Path, "out");

        var summary = await RunInProcessAsync(input, output, concurrency: 2);

        var report = BatchFolders.Report(output).ToDictionary(l => l.Input);
        var tampered = report["tampered.pdf"];
        Assert.Equal((BatchOutcome.Attention, "VERDICT_INVALID"), (tampered.Outcome, tampered.Verdict));
        Assert.StartsWith("Its digital signatures are not valid (VERDICT_INVALID): ", tampered.Message, StringComparison.Ordinal);
        Assert.Equal((BatchOutcome.Ok, "VERDICT_VALID_UNTRUSTED", ""), (report["signed.pdf"].Outcome, report["signed.pdf"].Verdict, report["signed.pdf"].Message));
        var repaired = report["repaired.pdf"];
        Assert.Equal(BatchOutcome.Attention, repaired.Outcome);
        Assert.Contains(repaired.Outputs, o => o.EndsWith("/page-0001.png", StringComparison.Ordinal)); // previewed: not refused
        Assert.EndsWith(".", repaired.Message, StringComparison.Ordinal);
        Assert.Contains(repaired.Ops, op => op.Op == BatchOp.Normalize && op.Outcome == BatchOutcome.Attention
            && op.Message!.Contains("repaired", StringComparison.Ordinal));
        Assert.Equal(BatchOutcome.Refused, report["letter.pdf"].Outcome);
        Assert.Null(report["letter.pdf"].Verdict);
        Assert.Equal((1L, 2L, 1L, 0L), (summary.Ok, summary.Attention, summary.Refused, summary.Failed));
        var written = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "summary.json"))).RootElement;
        Assert.Equal(2, written.GetProperty("attention").GetInt64());
    }

    private static async Task<BatchSummary> RunInProcessAsync(string input, string output, int concurrency, long? maxBytes = null)
    {
        var options = new BatchOptions { Concurrency = concurrency, MaxBytes = maxBytes, Previews = new PreviewOptions { Concurrency = concurrency }, Workers = Pipeline.Workers };
        using var store = FileSystemBatchStore.Open(output);
        return await new BatchRunner(options, store, store).RunAsync(new DirectorySource(input, output), CancellationToken.None);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "The batch wrote no report lines within 60 seconds.");
            await Task.Delay(20);
        }
    }
}
