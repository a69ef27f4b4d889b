using DocEngine.Core.Archive;
using DocEngine.Tests.Corpus;
using DocEngine.Tests.Infrastructure;

namespace DocEngine.Tests.Conversion;

/// <summary>
/// <c>docengine process letter.docx --format pdf --out letter.pdf</c> works offline (LibreOffice started for the run)
/// and through a server, with the same pages; <c>--ocr --pdfa</c> makes a scan searchable and PDF/A.
/// </summary>
[Collection(ConvertersCollection.Name)]
public sealed class ProcessCommandConversionTests(ConvertersFixture converters) : IAsyncLifetime
{
    private readonly TempDirectory _work = new();
    private ServerProcess _server = null!;

    public async Task InitializeAsync() => _server = await ServerProcess.StartAsync(Path.Combine(_work.Path, "data"));

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _work.Dispose();
    }

    [SkippableFact]
    public async Task A_Word_letter_becomes_a_PDF_offline_and_through_the_server_with_the_same_pages()
    {
        await converters.OfficeAsync();
        var letter = Path.Combine(SharedCorpus.RequireOrSkip(), "corpus", "office", "python-docx__hdr-header-footer.docx");
        var offline = Path.Combine(_work.Path, "offline.pdf");
        var served = Path.Combine(_work.Path, "served.pdf");
        var cache = Path.Combine(_work.Path, "cache");

        var first = await CliProcess.RunAsync(cache, "process", letter, "--format", "pdf", "--out", offline);
        var second = await CliProcess.RunAsync(cache, "process", letter, "--format", "pdf", "--out", served, "--server", _server.Url);

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Contains("Converted the Word document to PDF with LibreOffice", first.Stdout, StringComparison.Ordinal);
        Assert.Equal(2, PdfTools.Pages(offline));
        Assert.Equal(2, PdfTools.Pages(served));
    }

    [SkippableFact]
    public async Task A_scan_with_ocr_and_pdfa_comes_out_searchable_and_PDF_A_and_a_locked_Word_file_exits_3()
    {
        converters.RequireOcr();
        converters.RequireArchive();
        await converters.OfficeAsync();
        var shared = SharedCorpus.RequireOrSkip();
        var output = Path.Combine(_work.Path, "searchable.pdf");
        var cache = Path.Combine(_work.Path, "cache");

        var run = await CliProcess.RunAsync(cache, "process", Path.Combine(shared, "scans", "ocrmypdf__2400dpi.pdf"), "--ocr", "--pdfa", "--out", output, "--json");
        var locked = await CliProcess.RunAsync(cache, "process", Path.Combine(shared, "corpus", "office", "msoffcrypto-tool__example_password.docx"), "--out",
            Path.Combine(_work.Path, "locked.pdf"));

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("\"archival\": \"PDF/A-2b\"", run.Stdout, StringComparison.Ordinal);
        Assert.True(PdfAConformance.Check(output).Conforms);
        Assert.Contains("Waterman", PdfTools.Run("pdftotext", output, "-").Stdout, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(3, locked.ExitCode);
        Assert.Contains("password-protected", locked.Stderr, StringComparison.Ordinal);
    }
}
