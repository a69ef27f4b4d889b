using DocEngine.Contract.V1;
using DocEngine.Tests.Infrastructure;
using OutputFormat = DocEngine.Contract.V1.OutputFormat;
using ProcessingOptions = DocEngine.Contract.V1.ProcessingOptions;

namespace DocEngine.Tests.Processing;

/// <summary>A 1-bit (CCITT) scan becomes a PDF page: it failed with INTERNAL before, found by `docengine bench process`.</summary>
public sealed class BilevelScanTests(DocEngineFactory factory) : IClassFixture<DocEngineFactory>
{
    [SkippableFact]
    public async Task A_black_and_white_tiff_scan_becomes_a_one_page_pdf()
    {
        var scan = await File.ReadAllBytesAsync(CorpusManifest.File("scans", "tesseract-test__8071_093.3B.tif"));
        var document = await Clients.UploadStreamingAsync(factory.Invoker(), scan, filename: "letter.tif");

        var rendition = (await new ProcessingService.ProcessingServiceClient(factory.Invoker()).ProcessDocumentAsync(
            new ProcessDocumentRequest { Documents = { document.Name }, Options = new ProcessingOptions { Format = OutputFormat.Pdf } })).Rendition;

        Assert.Equal(("application/pdf", 1), (rendition.MediaType, rendition.Pages));
        var pdf = await Clients.DownloadAsync(factory.Invoker(), rendition.Name);
        Assert.StartsWith("%PDF-", System.Text.Encoding.ASCII.GetString(pdf, 0, 5), StringComparison.Ordinal);
    }
}
