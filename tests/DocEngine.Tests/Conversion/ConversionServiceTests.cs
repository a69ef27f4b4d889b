using DocEngine.Contract.V1;
using DocEngine.Core.Archive;
using DocEngine.Core.Common;
using DocEngine.Core.Storage;
using DocumentFacts = DocEngine.Core.Receipts.DocumentFacts;
using Jws = DocEngine.Core.Receipts.Jws;
using ReceiptPayload = DocEngine.Core.Receipts.ReceiptPayload;
using Microsoft.Extensions.DependencyInjection;
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
    public async Task The_receipt_and_the_contact_sheet_of_a_Word_upload_name_its_conversion_and_its_archival_copy_in_words()
    {
        await converters.OfficeAsync();
        converters.RequireArchive();
        converters.RequireOcr(); // tesseract reads the contact sheet's caption back
        var invoker = factory.Invoker();
        var document = await Clients.UploadStreamingAsync(invoker, TinyDocx.Build("Letter of explanation", "I lived in Lyon from 2019 to 2023."), filename: "letter.docx");

        // The receipt is issued right after the upload: it says the Word file is converted, and that it is for the file as received.
        var receipt = (await new ReceiptService.ReceiptServiceClient(invoker).GetReceiptAsync(new GetReceiptRequest { Name = document.Name })).Receipt;
        var issued = ReceiptPayload.FromJson(Jws.FromBase64Url(receipt.Jws.Split('.')[1]))!;
        Assert.Contains("converts this file (a Word document (.docx)) to PDF", issued.Processing.Conversion, StringComparison.Ordinal);
        Assert.Contains("for the file exactly as received", issued.Processing.Conversion, StringComparison.Ordinal);

        var rendition = (await Processing.ProcessDocumentAsync(new ProcessDocumentRequest
        {
            Documents = { document.Name },
            Options = new ProcessingOptions { Format = OutputFormat.Pdf, Archive = true },
        })).Rendition;
        Assert.Equal(("Word", "PDF/A-2b"), (rendition.Report.ConvertedFrom, rendition.Report.Archival));

        // What a receipt issued now lists for that rendition, through the signed JSON and back.
        var payload = issued with { Processing = await ReceiptFactsNowAsync(document.Name) };
        var listed = Assert.Single(ReceiptPayload.FromJson(payload.ToJson())!.Processing.Renditions, r => r.Name == rendition.Name);
        Assert.Equal(("Word", "PDF/A-2b", (int?)null), (listed.ConvertedFrom, listed.Archival, listed.TextLayerPages));
        Assert.Equal(["Converted from Word to PDF.", "Archival PDF/A-2b copy made."], listed.Done);
        using (var json = System.Text.Json.JsonDocument.Parse(payload.ToJson()))
        {
            var words = json.RootElement.GetProperty("processing").GetProperty("renditions").EnumerateArray()
                .Single(r => r.GetProperty("name").GetString() == rendition.Name).GetProperty("done").EnumerateArray().Select(w => w.GetString());
            Assert.Contains("Converted from Word to PDF.", words); // what a third party reads with any JSON library
        }

        // The contact sheet of the rendition carries the same words, drawn under the thumbnails.
        var text = await ContactSheetTextAsync(rendition.Name);
        // Tesseract reads the pixel font's "PDF" as "POF", so the test looks for the words around it.
        Assert.True(text.Contains("CONVERTED FROM WORD TO P", StringComparison.OrdinalIgnoreCase) && text.Contains("ARCHIVAL P", StringComparison.OrdinalIgnoreCase)
            && text.Contains("COPY MADE", StringComparison.OrdinalIgnoreCase), $"Tesseract read the contact sheet as: {text}");
    }

    [SkippableFact]
    public async Task The_archival_copy_of_a_signed_PDF_says_in_the_receipt_and_on_its_contact_sheet_that_the_signatures_apply_to_the_original()
    {
        converters.RequireArchive();
        converters.RequireOcr(); // tesseract reads the contact sheet's caption back
        var bytes = await File.ReadAllBytesAsync(Path.Combine(SharedCorpus.RequireOrSkip(), "corpus", "pdf-signed", "dss__pades-bes.pdf"));
        var document = await Clients.UploadStreamingAsync(factory.Invoker(), bytes, filename: "signed.pdf");

        var rendition = (await Processing.ProcessDocumentAsync(new ProcessDocumentRequest
        {
            Documents = { document.Name },
            Options = new ProcessingOptions { Archive = true },
        })).Rendition;

        var listed = Assert.Single((await ReceiptFactsNowAsync(document.Name)).Renditions, r => r.Name == rendition.Name);
        Assert.Equal(["Archival PDF/A-2b copy made.", "The digital signatures apply to the original, not to this copy."], listed.Done);
        var text = await ContactSheetTextAsync(rendition.Name);
        Assert.True(text.Contains("SIGNATURES APPLY TO THE ORIGINAL", StringComparison.OrdinalIgnoreCase), $"Tesseract read the contact sheet as: {text}");
    }

    /// <summary>What a receipt issued now would say of the document's processing (its receipt was issued at upload, before any rendition).</summary>
    private async Task<DocEngine.Core.Receipts.ReceiptProcessing> ReceiptFactsNowAsync(string documentName)
    {
        var parts = documentName.Split('/');
        var stored = await factory.Services.GetRequiredService<IDocumentStore>().FindDocumentAsync("tenant-a", new DocumentKey(parts[1], parts[3]), CancellationToken.None);
        return (await factory.Services.GetRequiredService<DocumentFacts>().SummariseAsync(stored, CancellationToken.None)).Processing;
    }

    /// <summary>The rendition's contact sheet as Tesseract reads it, on one line.</summary>
    private async Task<string> ContactSheetTextAsync(string renditionName)
    {
        var sheet = (await Previews.PreviewServiceTests.RenderAsync(factory.Invoker(), new RenderPreviewsRequest { Name = renditionName, Width = 300, ContactSheet = true }))
            .Single(m => m.KindCase == RenderPreviewsResponse.KindOneofCase.ContactSheet).ContactSheet;
        using var scratch = new TempDirectory();
        var png = Path.Combine(scratch.Path, "sheet.png");
        await File.WriteAllBytesAsync(png, sheet.Data.ToByteArray());
        var read = PdfTools.Run("tesseract", png, "-", "-l", "eng");
        Assert.True(read.ExitCode == 0, read.Stderr);
        return System.Text.RegularExpressions.Regex.Replace(read.Stdout, @"\s+", " ");
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
