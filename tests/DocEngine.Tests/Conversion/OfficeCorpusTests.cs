using System.Text.RegularExpressions;
using DocEngine.Core.Archive;
using DocEngine.Core.Detection;
using DocEngine.Core.Pdf;
using DocEngine.Core.Processing;
using DocEngine.Tests.Corpus;
using DocEngine.Tests.Infrastructure;

namespace DocEngine.Tests.Conversion;

/// <summary>
/// Every file of ../shared/corpus/office (Word, OpenDocument, RTF and spreadsheets from other projects' test suites)
/// goes through the real pipeline (detection, the warm LibreOffice pool, Ghostscript's PDF/A): it converts to the page
/// count its manifest states, as a PDF/A-2b copy that passes our conformance check and qpdf --check, or it is refused
/// with the sentence its class calls for. The manifest is the source of every expectation.
/// </summary>
[Collection(ConvertersCollection.Name)]
public sealed partial class OfficeCorpusTests(ConvertersFixture converters)
{
    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        var folder = RepoPaths.Shared is { } shared ? Path.Combine(shared, "corpus", "office") : null;
        if (folder is null || !File.Exists(Path.Combine(folder, "manifest.tsv")))
        {
            data.Add("(shared corpus absent)");
            return data;
        }
        foreach (var line in File.ReadLines(Path.Combine(folder, "manifest.tsv")).Skip(1))
        {
            data.Add(line.Split('\t')[0]);
        }
        return data;
    }

    [SkippableTheory]
    [MemberData(nameof(Files))]
    public async Task Each_office_file_converts_to_its_stated_page_count_as_checked_PDF_A_or_is_refused_with_its_sentence(string name)
    {
        var path = Path.Combine(SharedCorpus.RequireOrSkip(), "corpus", "office", name);
        var expected = File.ReadLines(Path.Combine(Path.GetDirectoryName(path)!, "manifest.tsv")).Select(l => l.Split('\t')).Single(c => c[0] == name)[7];
        await converters.OfficeAsync();
        converters.RequireArchive();
        PdfTools.RequireQpdf();
        using var scratch = new TempDirectory();
        DetectedType type;
        await using (var content = File.OpenRead(path))
        {
            type = ContentDetector.Detect(content, name);
        }
        var run = () => converters.Pipeline.RunAsync(path, type, name, new ProcessingRequest(OutputFormat.Pdf) { Archive = true }, new PdfCompressionRequest(),
            scratch.Path, CancellationToken.None);

        if (expected.Contains("Must be refused", StringComparison.Ordinal))
        {
            var refusal = await Assert.ThrowsAsync<DocEngineException>(run);
            Assert.True(refusal.Kind is ErrorKind.InvalidArgument or ErrorKind.FailedPrecondition, $"{name}: {refusal.Kind}");
            Assert.EndsWith(".", refusal.Message, StringComparison.Ordinal);
            var (reason, words) = Regex.Match(expected, @"HOSTILE \(([^)]+)\)").Groups[1].Value switch
            {
                "encrypted" => ("PASSWORD_REQUIRED", "password-protected"),
                "corrupt" => ("DAMAGED_FILE", "damaged or incomplete"),
                _ => ("ARCHIVE", "ZIP archive"), // "not a document": an empty ZIP named .xlsx, which LibreOffice alone would print as text
            };
            Assert.True(reason == refusal.Reason, $"{name}: {refusal.Reason}: {refusal.Message}");
            Assert.Contains(words, refusal.Message, StringComparison.Ordinal);
            return;
        }

        var pages = int.Parse(PageCount().Match(expected).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        var result = await run();
        var pdf = Assert.Single(result.Parts).Path;
        Assert.Equal(pages, PdfTools.Pages(pdf));
        Assert.Equal("PDF/A-2b", result.Report.Archival);
        Assert.NotNull(result.Report.ConvertedFrom);
        Assert.Contains(result.Report.Actions, a => a.StartsWith("Converted the", StringComparison.Ordinal));
        var conformance = PdfAConformance.Check(pdf);
        Assert.True(conformance.Conforms, $"{name}: {string.Join("; ", conformance.Violations)}");
        var (exit, output) = PdfTools.QpdfCheck(pdf);
        Assert.True(exit == 0, $"{name}: qpdf --check: {output}");
    }

    [GeneratedRegex(@"[Cc]onverts (?:it )?to an? (\d+)-page PDF")]
    private static partial Regex PageCount();
}
