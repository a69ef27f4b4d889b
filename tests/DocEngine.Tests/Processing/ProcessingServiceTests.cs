using System.IO.Compression;
using DocEngine.Contract.V1;
using DocEngine.Core.Processing;
using DocEngine.Tests.Infrastructure;
using Grpc.Core;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using OutputFormat = DocEngine.Contract.V1.OutputFormat;
using ProcessingOptions = DocEngine.Contract.V1.ProcessingOptions;

namespace DocEngine.Tests.Processing;

/// <summary>ProcessingService over gRPC: stored documents are inspected and processed into cached, downloadable renditions.</summary>
public sealed class ProcessingServiceTests(DocEngineFactory factory) : IClassFixture<DocEngineFactory>
{
    private ProcessingService.ProcessingServiceClient Processing => new(factory.Invoker());

    [Fact]
    public async Task An_upload_records_the_type_its_bytes_have_not_the_one_its_name_claims()
    {
        var document = await Clients.UploadStreamingAsync(factory.Invoker(), Photo(300, 200), filename: "statement.pdf");

        Assert.Equal("image/jpeg", document.MediaType);
        var info = (await Processing.InspectDocumentAsync(new InspectDocumentRequest { Name = document.Name })).Info;
        Assert.Equal("The name ends in .pdf but the file is a JPEG image.", info.NameMismatch);
        Assert.Equal(300, info.Image.Width);
    }

    [Fact]
    public async Task Processing_makes_a_rendition_that_asking_again_returns_without_processing_and_that_downloads_intact()
    {
        var invoker = factory.Invoker();
        var document = await Clients.UploadStreamingAsync(invoker, Photo(2000, 1500), filename: "id.jpg");
        var request = new ProcessDocumentRequest { Documents = { document.Name }, Options = new ProcessingOptions { Format = OutputFormat.Jpeg, MaxEdge = 800 } };

        var first = (await Processing.ProcessDocumentAsync(request)).Rendition;
        var again = (await Processing.ProcessDocumentAsync(request)).Rendition;

        Assert.Equal(first.Name, again.Name);
        Assert.Equal(first.CreateTime, again.CreateTime); // the stored result, not a new one
        Assert.StartsWith(document.Name + "/renditions/", first.Name, StringComparison.Ordinal);
        Assert.Equal((800, 600, "image/jpeg"), (first.Width, first.Height, first.MediaType));
        Assert.Contains(first.Report.Actions, a => a.StartsWith("Reduced from 2000 × 1500 to 800 × 600", StringComparison.Ordinal));
        var bytes = await Clients.DownloadAsync(invoker, first.Name);
        Assert.Equal(first.Sha256, TestData.Sha256(bytes));
        Assert.Equal(first.SizeBytes, bytes.Length);
        Assert.Equal(first.Report.BytesAfter, bytes.Length);

        var other = (await Processing.ProcessDocumentAsync(new ProcessDocumentRequest { Documents = { document.Name }, Options = new ProcessingOptions { Format = OutputFormat.Png, MaxEdge = 800 } })).Rendition;
        Assert.NotEqual(first.Name, other.Name); // other options, other rendition
    }

    [SkippableFact]
    public async Task A_stored_pdf_over_its_budget_comes_back_in_parts_that_each_fit_and_asking_again_returns_the_same_parts()
    {
        Renderer.Create();
        var invoker = factory.Invoker();
        var scan = await File.ReadAllBytesAsync(CorpusManifest.File("scans", "paperless-ngx__many-qr-codes.pdf"));
        var document = await Clients.UploadStreamingAsync(invoker, scan, filename: "statement.pdf");
        var request = new ProcessDocumentRequest { Documents = { document.Name }, Options = new ProcessingOptions { MaxBytes = 100_000 } };

        var first = await Processing.ProcessDocumentAsync(request);
        var again = await Processing.ProcessDocumentAsync(request);

        Assert.True(first.Parts.Count > 1);
        Assert.Equal(first.Parts[0], first.Rendition);
        Assert.Equal(first.Parts.Select(p => (p.Name, p.CreateTime)), again.Parts.Select(p => (p.Name, p.CreateTime))); // stored, not made again
        Assert.Equal(Enumerable.Range(1, first.Parts.Count), first.Parts.Select(p => p.Part));
        Assert.Equal(Enumerable.Range(1, 3), first.Parts.SelectMany(p => Enumerable.Range(p.FirstPage, p.LastPage - p.FirstPage + 1)));
        foreach (var part in first.Parts)
        {
            Assert.Equal((first.Parts.Count, "application/pdf"), (part.PartCount, part.MediaType));
            var bytes = await Clients.DownloadAsync(invoker, part.Name);
            Assert.True(bytes.Length <= 100_000);
            Assert.Equal(part.Sha256, TestData.Sha256(bytes));
        }
        Assert.Equal(100, first.Rendition.Report.ImageDpi);
        Assert.Equal(scan.Length, first.Rendition.Report.BytesBefore);

        var refused = await Assert.ThrowsAsync<RpcException>(() => Processing.ProcessDocumentAsync(
            new ProcessDocumentRequest { Documents = { document.Name }, Options = new ProcessingOptions { MaxBytes = 40_000 } }).ResponseAsync);
        Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
        Assert.StartsWith("Page 1 alone is larger than 40 KB", refused.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_stored_images_become_one_two_page_pdf()
    {
        var invoker = factory.Invoker();
        var application = (await new ApplicationService.ApplicationServiceClient(invoker).CreateApplicationAsync(new CreateApplicationRequest())).Application.Name;
        var front = await Clients.UploadStreamingAsync(invoker, Photo(600, 400), application: application, filename: "front.jpg");
        var back = await Clients.UploadStreamingAsync(invoker, Photo(400, 600), application: application, filename: "back.jpg");

        var rendition = (await Processing.ProcessDocumentAsync(new ProcessDocumentRequest
        {
            Documents = { front.Name, back.Name },
            Options = new ProcessingOptions { Format = OutputFormat.Pdf },
        })).Rendition;

        Assert.Equal(("application/pdf", 2), (rendition.MediaType, rendition.Pages));
        Assert.Equal([front.Name, back.Name], rendition.Sources);
        using var pdf = UglyToad.PdfPig.PdfDocument.Open(await Clients.DownloadAsync(invoker, rendition.Name));
        Assert.Equal(2, pdf.NumberOfPages);
        Assert.True(pdf.GetPage(1).Width > pdf.GetPage(1).Height);
        Assert.True(pdf.GetPage(2).Width < pdf.GetPage(2).Height);
        await Clients.AssertRefusedAsync(StatusCode.InvalidArgument, "SEVERAL_PAGES_NEED_PDF", () =>
            Processing.ProcessDocumentAsync(new ProcessDocumentRequest { Documents = { front.Name, back.Name } }).ResponseAsync);
    }

    [Fact]
    public async Task A_word_document_renamed_pdf_is_named_as_Word_to_convert_and_another_tenant_sees_nothing()
    {
        var document = await Clients.UploadStreamingAsync(factory.Invoker(), Docx(), filename: "passport.pdf");
        Assert.Equal("application/vnd.openxmlformats-officedocument.wordprocessingml.document", document.MediaType);

        var info = (await Processing.InspectDocumentAsync(new InspectDocumentRequest { Name = document.Name })).Info;
        Assert.True(info.ConvertsToPdf);
        Assert.Equal("The name ends in .pdf but the file is a Word document (.docx).", info.NameMismatch);

        var otherTenant = new ProcessingService.ProcessingServiceClient(factory.Invoker(DocEngineFactory.KeyB));
        await Clients.AssertRefusedAsync(StatusCode.NotFound, "DOCUMENT_NOT_FOUND", () =>
            otherTenant.ProcessDocumentAsync(new ProcessDocumentRequest { Documents = { document.Name } }).ResponseAsync);
        await Clients.AssertRefusedAsync(StatusCode.NotFound, "RENDITION_NOT_FOUND", () =>
            Clients.DownloadAsync(factory.Invoker(), document.Name + "/renditions/0123456789abcdef01234567"));
    }

    [Fact]
    public async Task Work_over_the_time_limit_is_resource_exhausted()
    {
        var refusal = await Assert.ThrowsAsync<DocEngineException>(() =>
            TimeLimit.RunAsync<int>(_ => { Thread.Sleep(2000); return 0; }, TimeSpan.FromMilliseconds(100), CancellationToken.None));
        Assert.Equal((ErrorKind.ResourceExhausted, "PROCESSING_TIMEOUT"), (refusal.Kind, refusal.Reason));
    }

    internal static byte[] Photo(int width, int height)
    {
        using var image = new Image<Rgba32>(width, height);
        var random = new Random(width + height);
        image.ProcessPixelRows(rows =>
        {
            for (var y = 0; y < rows.Height; y++)
            {
                foreach (ref var pixel in rows.GetRowSpan(y))
                {
                    pixel = new Rgba32((byte)(y % 256), (byte)random.Next(256), 128);
                }
            }
        });
        using var output = new MemoryStream();
        image.SaveAsJpeg(output);
        return output.ToArray();
    }

    private static byte[] Docx()
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var name in new[] { "[Content_Types].xml", "word/document.xml" })
            {
                using var writer = new StreamWriter(zip.CreateEntry(name).Open());
                writer.Write("<x/>");
            }
        }
        return buffer.ToArray();
    }
}
