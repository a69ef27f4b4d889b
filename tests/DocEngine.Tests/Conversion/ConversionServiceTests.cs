using DocEngine.Contract.V1;
using DocEngine.Core.Archive;
using DocEngine.Tests.Corpus;
using DocEngine.Tests.Infrastructure;
using Grpc.Core;
using Grpc.Health.V1;

namespace DocEngine.Tests.Conversion;

/// <summary>A server whose LibreOffice pool has one listener (the tests' own, apart from the shared pool).</summary>
public sealed class OneListenerFactory() : DocEngineFactory(new Dictionary<string, string?> { ["DocEngine:Conversion:Listeners"] = "1" });

/// <summary>
/// Conversion, OCR and PDF/A through the service: a Word upload becomes a PDF rendition that previews like any other,
/// whose report names the conversion; a scan comes back searchable and PDF/A; a locked document gets its sentence.
/// </summary>
[Collection(ConvertersCollection.Name)]
public sealed class ConversionServiceTests(OneListenerFactory factory, ConvertersFixture converters) : IClassFixture<OneListenerFactory>
{
    private ProcessingService.ProcessingServiceClient Processing => new(factory.Invoker());

    [SkippableFact]
    public async Task A_Word_upload_becomes_a_stored_PDF_rendition_that_previews_and_is_returned_again_without_converting()
    {
        await converters.OfficeAsync(); // skips loudly without LibreOffice
        var invoker = factory.Invoker();
        var bytes = await File.ReadAllBytesAsync(Path.Combine(SharedCorpus.RequireOrSkip(), "corpus", "office", "mammoth__footnotes.docx"));
        var document = await Clients.UploadStreamingAsync(invoker, bytes, filename: "letter.docx");
        var request = new ProcessDocumentRequest { Documents = { document.Name }, Options = new ProcessingOptions { Format = OutputFormat.Pdf } };

        var rendition = (await Processing.ProcessDocumentAsync(request)).Rendition;

        Assert.Equal(("application/pdf", 1, "Word"), (rendition.MediaType, rendition.Pages, rendition.Report.ConvertedFrom));
        Assert.Contains(rendition.Report.Actions, a => a.StartsWith("Converted the Word document to PDF with LibreOffice", StringComparison.Ordinal));
        var pdf = await Clients.DownloadAsync(invoker, rendition.Name);
        using (var read = UglyToad.PdfPig.PdfDocument.Open(pdf))
        {
            Assert.Contains("tachyon", read.GetPage(1).Text, StringComparison.Ordinal); // the footnote's text
        }
        var previews = await Previews.PreviewServiceTests.RenderAsync(invoker, new RenderPreviewsRequest { Name = rendition.Name, Width = 300 });
        Assert.Single(previews, m => m.KindCase == RenderPreviewsResponse.KindOneofCase.Page);
        var again = (await Processing.ProcessDocumentAsync(request)).Rendition;
        Assert.Equal((rendition.Name, rendition.CreateTime), (again.Name, again.CreateTime));
    }

    [SkippableFact]
    public async Task A_scan_asked_for_ocr_and_archive_comes_back_searchable_and_PDF_A_and_the_report_says_both()
    {
        converters.RequireOcr();
        converters.RequireArchive();
        var invoker = factory.Invoker();
        var bytes = await File.ReadAllBytesAsync(Path.Combine(SharedCorpus.RequireOrSkip(), "scans", "ocrmypdf__2400dpi.pdf"));
        var document = await Clients.UploadStreamingAsync(invoker, bytes, filename: "scan.pdf");

        var rendition = (await Processing.ProcessDocumentAsync(new ProcessDocumentRequest
        {
            Documents = { document.Name },
            Options = new ProcessingOptions { Ocr = true, Archive = true },
        })).Rendition;

        Assert.Equal((1, "PDF/A-2b"), (rendition.Report.TextLayerPages, rendition.Report.Archival));
        using var scratch = new TempDirectory();
        var path = Path.Combine(scratch.Path, "archived.pdf");
        await File.WriteAllBytesAsync(path, await Clients.DownloadAsync(invoker, rendition.Name));
        Assert.True(PdfAConformance.Check(path).Conforms);
        Assert.Contains("Waterman", PdfTools.Run("pdftotext", path, "-").Stdout, StringComparison.OrdinalIgnoreCase);
        var info = (await Processing.InspectDocumentAsync(new InspectDocumentRequest { Name = document.Name })).Info.Pdf;
        Assert.Equal((0, 1), (info.TextLayerPages, info.PagesCheckedForText)); // the original keeps no text: it is never replaced
    }

    [SkippableFact]
    public async Task A_password_protected_Word_file_is_refused_with_its_sentence_and_converts_with_its_password()
    {
        await converters.OfficeAsync();
        var bytes = await File.ReadAllBytesAsync(Path.Combine(SharedCorpus.RequireOrSkip(), "corpus", "office", "msoffcrypto-tool__example_password.docx"));
        var document = await Clients.UploadStreamingAsync(factory.Invoker(), bytes, filename: "statement.docx");

        var info = await Clients.AssertRefusedAsync(StatusCode.FailedPrecondition, "PASSWORD_REQUIRED", () =>
            Processing.ProcessDocumentAsync(new ProcessDocumentRequest { Documents = { document.Name } }).ResponseAsync);
        var converted = (await Processing.ProcessDocumentAsync(new ProcessDocumentRequest
        {
            Documents = { document.Name },
            Options = new ProcessingOptions { Password = "Password1234_" },
        })).Rendition;

        Assert.NotNull(info);
        Assert.Equal("Word", converted.Report.ConvertedFrom);
    }
}

/// <summary>A server configured with a LibreOffice that is not there.</summary>
public sealed class MissingConverterFactory() : DocEngineFactory(new Dictionary<string, string?> { ["DocEngine:Conversion:SofficePath"] = "/nonexistent/soffice.bin" });

/// <summary>Without LibreOffice the server still starts and serves; conversion says NOT_SERVING and refuses with what to do.</summary>
public sealed class MissingConverterTests(MissingConverterFactory factory) : IClassFixture<MissingConverterFactory>
{
    [Fact]
    public async Task Conversion_reports_not_serving_and_a_Word_file_gets_the_install_hint_while_the_server_serves()
    {
        var health = new Health.HealthClient(factory.Invoker(apiKey: null));
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, (await health.CheckAsync(new HealthCheckRequest { Service = "docengine.conversion" })).Status);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await health.CheckAsync(new HealthCheckRequest { Service = "" })).Status);
        var zip = new MemoryStream();
        using (var archive = new System.IO.Compression.ZipArchive(zip, System.IO.Compression.ZipArchiveMode.Create, leaveOpen: true))
        {
            archive.CreateEntry("[Content_Types].xml");
            archive.CreateEntry("word/document.xml");
        }
        var document = await Clients.UploadStreamingAsync(factory.Invoker(), zip.ToArray(), filename: "letter.docx");

        var error = await Assert.ThrowsAsync<RpcException>(() => new ProcessingService.ProcessingServiceClient(factory.Invoker())
            .ProcessDocumentAsync(new ProcessDocumentRequest { Documents = { document.Name } }).ResponseAsync);

        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Contains("save the document as PDF", error.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("apt-get install libreoffice-writer-nogui", error.Status.Detail, StringComparison.Ordinal);
    }
}
