using DocEngine.Core.Batch;
using DocEngine.Tests.Batch;
using DocEngine.Tests.Corpus;
using DocEngine.Tests.Infrastructure;

namespace DocEngine.Tests.Ocr;

/// <summary>A backlog made searchable: <c>docengine batch --ops normalize,ocr</c> over a scan and a Word letter.</summary>
[Collection(ConvertersCollection.Name)]
public sealed class BatchOcrTests(ConvertersFixture converters)
{
    [SkippableFact]
    public async Task A_batch_with_ocr_makes_the_scan_searchable_and_converts_the_Word_letter()
    {
        converters.RequireOcr();
        await converters.OfficeAsync();
        var shared = SharedCorpus.RequireOrSkip();
        using var work = new TempDirectory();
        var input = Directory.CreateDirectory(Path.Combine(work.Path, "in")).FullName;
        File.Copy(Path.Combine(shared, "scans", "ocrmypdf__2400dpi.pdf"), Path.Combine(input, "scan.pdf"));
        File.Copy(Path.Combine(shared, "corpus", "office", "textract__raw_text.rtf"), Path.Combine(input, "letter.rtf"));
        var output = Path.Combine(work.Path, "out");

        var run = await CliProcess.RunAsync(Path.Combine(work.Path, "cache"), "batch", input, "--out", output, "--ops", "normalize,ocr", "--json");

        Assert.True(run.ExitCode == 0, run.ToString());
        var report = BatchFolders.Report(output);
        Assert.All(report, line => Assert.Equal(BatchOutcome.Ok, line.Outcome));
        var scan = report.Single(l => l.Input == "scan.pdf");
        var searchable = Path.Combine(output, scan.Outputs.Single(o => o.EndsWith("/searchable.pdf", StringComparison.Ordinal)));
        Assert.Contains("Waterman", PdfTools.Run("pdftotext", searchable, "-").Stdout, StringComparison.OrdinalIgnoreCase);
        var letter = report.Single(l => l.Input == "letter.rtf");
        Assert.Equal(3, PdfTools.Pages(Path.Combine(output, letter.Outputs.Single(o => o.EndsWith("/normalized.pdf", StringComparison.Ordinal)))));
    }
}
