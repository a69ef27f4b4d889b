using System.Diagnostics;
using DocEngine.Core.Pdf;
using DocEngine.Core.Processing;
using DocEngine.Core.Workers;
using DocEngine.Tests.Infrastructure;

namespace DocEngine.Tests.Workers;

/// <summary>
/// The PDF limits (nesting, objects, pages, inflated bytes, page-tree loops), each at its limit and one past it, and
/// the classic bombs through a real worker with the default limits: refused within the time limit, with a sentence.
/// </summary>
public sealed class PdfLimitTests : IDisposable
{
    private readonly TempDirectory _work = new();

    public void Dispose() => _work.Dispose();

    [Theory]
    [InlineData("array")]
    [InlineData("dictionary")]
    public void Nesting_at_the_limit_passes_and_one_deeper_is_refused(string through)
    {
        var options = new PdfOptions { MaxPdfNesting = 40 };
        // The page dictionary itself is one level, and the catalog's and the pages' dictionaries close before it.
        Check(Nested(through, 39), options);
        var refusal = Assert.Throws<DocEngineException>(() => Check(Nested(through, 40), options));
        Assert.Equal(("PDF_TOO_DEEPLY_NESTED", ErrorKind.ResourceExhausted), (refusal.Reason, refusal.Kind));
        Assert.Contains("more than 40 deep", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Pages_at_the_limit_pass_and_one_more_is_refused()
    {
        var options = new PdfOptions { MaxPdfPages = 50 };
        Check(HostileFiles.ManyPagesPdf(50), options);
        var refusal = Assert.Throws<DocEngineException>(() => Check(HostileFiles.ManyPagesPdf(51), options));
        Assert.Equal("PDF_TOO_MANY_PAGES", refusal.Reason);
        Assert.Contains("51 pages", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Objects_at_the_limit_pass_and_one_more_is_refused()
    {
        var pdf = HostileFiles.ManyPagesPdf(10); // 12 objects
        Check(pdf, new PdfOptions { MaxPdfObjects = 12 });
        var refusal = Assert.Throws<DocEngineException>(() => Check(pdf, new PdfOptions { MaxPdfObjects = 11 }));
        Assert.Equal("PDF_TOO_MANY_OBJECTS", refusal.Reason);
    }

    [Fact]
    public void Inflated_bytes_at_the_limit_pass_and_one_more_is_refused()
    {
        var pdf = HostileFiles.FlateBombPdf(1 << 20);
        Check(pdf, new PdfOptions { MaxPdfDecompressedBytes = 1 << 20 });
        var refusal = Assert.Throws<DocEngineException>(() => Check(pdf, new PdfOptions { MaxPdfDecompressedBytes = (1 << 20) - 1 }));
        Assert.Equal(("PDF_DECOMPRESSES_TOO_LARGE", ErrorKind.ResourceExhausted), (refusal.Reason, refusal.Kind));
    }

    [Fact]
    public void A_page_tree_that_loops_is_refused_and_a_tree_without_a_loop_passes()
    {
        var refusal = Assert.Throws<DocEngineException>(() => Check(HostileFiles.PageTreeLoopPdf(), new PdfOptions()));
        Assert.Equal(("PDF_PAGE_TREE_LOOP", ErrorKind.InvalidArgument), (refusal.Reason, refusal.Kind));
        Check(HostileFiles.ManyPagesPdf(3), new PdfOptions());
    }

    [SkippableFact]
    public void Every_pdf_of_the_corpus_passes_the_default_limits()
    {
        var pdfs = CorpusPdfs().ToList();
        Requires.That(pdfs.Count > 0, "The shared corpus (../shared/corpus, ../shared/scans) is missing.");
        foreach (var pdf in pdfs)
        {
            try
            {
                PdfLimits.Check(pdf, new PdfOptions());
            }
            catch (DocEngineException e)
            {
                Assert.Fail($"{pdf}: {e.Message}");
            }
        }
    }

    public static TheoryData<string> Bombs => ["flate bomb of 1 GiB", "array nested 200,000 deep", "dictionary nested 200,000 deep", "page tree loop", "100,000-page tree"];

    [Theory]
    [MemberData(nameof(Bombs))]
    public async Task Each_classic_bomb_is_refused_in_a_worker_within_the_limit_with_its_sentence(string bomb)
    {
        var (bytes, reason) = bomb switch
        {
            "flate bomb of 1 GiB" => (HostileFiles.FlateBombPdf(1L << 30), "PDF_DECOMPRESSES_TOO_LARGE"),
            "array nested 200,000 deep" => (HostileFiles.NestedArrayPdf(), "PDF_TOO_DEEPLY_NESTED"),
            "dictionary nested 200,000 deep" => (HostileFiles.NestedDictionaryPdf(), "PDF_TOO_DEEPLY_NESTED"),
            "page tree loop" => (HostileFiles.PageTreeLoopPdf(), "PDF_PAGE_TREE_LOOP"),
            _ => (HostileFiles.ManyPagesPdf(100_000), "PDF_TOO_MANY_PAGES"),
        };
        var path = Path.Combine(_work.Path, "bomb.pdf");
        await File.WriteAllBytesAsync(path, bytes);
        await using var pool = WorkerPool.Start(new WorkerOptions { Count = 1 }, _work.Path);
        await pool.WaitUntilWarmAsync(CancellationToken.None);
        var options = new ProcessingOptions();

        var clock = Stopwatch.StartNew();
        var refusal = await Assert.ThrowsAsync<DocEngineException>(() => pool.RunAsync(new InspectJob(path, "bomb.pdf", null, options), CancellationToken.None));

        Assert.Equal(reason, refusal.Reason);
        Assert.EndsWith(".", refusal.Message);
        Assert.True(clock.Elapsed < options.MaxProcessingTime, $"took {clock.Elapsed}");
    }

    private static byte[] Nested(string through, int depth) =>
        through == "array" ? HostileFiles.NestedArrayPdf(depth) : HostileFiles.NestedDictionaryPdf(depth);

    private void Check(byte[] pdf, PdfOptions options)
    {
        var path = Path.Combine(_work.Path, Guid.NewGuid().ToString("N") + ".pdf");
        File.WriteAllBytes(path, pdf);
        PdfLimits.Check(path, options);
    }

    private static IEnumerable<string> CorpusPdfs()
    {
        var shared = RepoPaths.Shared;
        foreach (var folder in shared is null ? [] : new[] { Path.Combine(shared, "corpus"), Path.Combine(shared, "scans") }.Where(Directory.Exists))
        {
            foreach (var file in Directory.EnumerateFiles(folder, "*.pdf", SearchOption.AllDirectories))
            {
                yield return file;
            }
        }
    }
}
