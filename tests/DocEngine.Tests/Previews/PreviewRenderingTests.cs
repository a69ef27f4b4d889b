using System.Diagnostics;
using System.Text;
using DocEngine.Core;
using DocEngine.Core.Previews;
using DocEngine.Tests.Infrastructure;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace DocEngine.Tests.Previews;

/// <summary>
/// Previews from the real MuPDF: every page of every valid corpus and scan PDF renders, is not blank, and has the size
/// `mutool draw` gives for the same width; rotation, damage, passwords, XFA, cancellation, time limits and page order.
/// </summary>
public sealed partial class PreviewRenderingTests
{
    private const int Width = 300;

    public static TheoryData<string> Pdfs() => new(RepoPaths.Shared is null
        ? ["(../shared absent)"]
        : CorpusManifest.Corpus().Where(e => e.Name.EndsWith(".pdf", StringComparison.Ordinal)).Select(e => "corpus/" + e.Name)
            .Concat(CorpusManifest.Scans().Where(e => e.Name.EndsWith(".pdf", StringComparison.Ordinal)).Select(e => "scans/" + e.Name)));

    [SkippableTheory]
    [MemberData(nameof(Pdfs))]
    public async Task Every_page_of_every_pdf_renders_not_blank_at_mutools_own_size_or_is_refused_in_time(string name)
    {
        var renderer = Renderer.Create();
        var path = Path.Combine(SharedCorpusRoot(), name);
        var expected = CorpusManifest.Expected(path);
        var password = CorpusManifest.Password(path);
        var clock = Stopwatch.StartNew();
        (PreviewPlan Plan, List<RenderedPage> Pages) result;
        try
        {
            result = await Renderer.RenderAsync(renderer, path, new PreviewRequest(Width: Width, Password: password));
        }
        catch (DocEngineException refusal)
        {
            Assert.Equal(ErrorKind.InvalidArgument, refusal.Kind);
            Assert.Equal("DAMAGED_FILE", refusal.Reason);
            Assert.Matches("Malformed|must be rejected|error|fuzz|EOF", expected);
            return;
        }
        finally
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"{name} took {clock.Elapsed}.");
        }

        Assert.Equal(result.Plan.PageCount, result.Pages.Count);
        Assert.Equal(Enumerable.Range(1, result.Plan.PageCount), result.Pages.Select(p => p.Number));
        var direct = MutoolSizes(path, password, result.Plan.PageCount);
        foreach (var page in result.Pages)
        {
            Assert.Equal(Width, page.Width);
            Assert.Equal(direct[page.Number - 1], (page.Width, page.Height));
            Assert.False(IsBlank(page.Bytes), $"{name} page {page.Number} came out blank.");
        }
    }

    [SkippableFact]
    public async Task Page_1_started_before_the_plan_is_the_page_sent_and_is_not_drawn_again()
    {
        var renderer = Renderer.Create();
        using var files = new TempDirectory();
        var pdf = Path.Combine(files.Path, "one-page.pdf");
        var photo = Path.Combine(files.Path, "photo.jpg");
        await File.WriteAllBytesAsync(pdf, SimplePdf(rotate: 0));
        await File.WriteAllBytesAsync(photo, Processing.ProcessingServiceTests.Photo(300, 200));
        var request = new PreviewRequest(Width: 240);

        var before = renderer.Mutool.ProcessesStarted;
        await using var early = renderer.StartPageOne(pdf, null, request);
        var plan = await renderer.PlanAsync(pdf, null, request, CancellationToken.None);
        var pages = await renderer.RenderAsync(pdf, null, plan.Pages, request, CancellationToken.None, early).ToListAsync();

        Assert.NotNull(early);
        Assert.Equal(1, renderer.Mutool.ProcessesStarted - before);
        Assert.Equal((1, 240), (pages.Single().Number, pages.Single().Width));
        Assert.Null(renderer.StartPageOne(pdf, null, request with { Pages = "2-3" })); // page 1 is not what is waited for
        Assert.Null(renderer.StartPageOne(photo, null, request)); // images are not drawn by mutool
    }

    [Fact]
    public async Task A_mutool_that_is_installed_but_cannot_run_is_said_to_be_missing_not_a_damaged_file()
    {
        using var files = new TempDirectory();
        var pdf = Path.Combine(files.Path, "one-page.pdf");
        await File.WriteAllBytesAsync(pdf, SimplePdf(rotate: 0));
        var broken = Path.Combine(files.Path, "mutool");
        await File.WriteAllTextAsync(broken, "#!/bin/sh\necho 'error while loading shared libraries' >&2\nexit 127\n");
        File.SetUnixFileMode(broken, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var renderer = new global::DocEngine.Core.Mupdf.MutoolRenderer(Renderer.Options(o => o.MutoolPath = broken));
        var absent = new global::DocEngine.Core.Mupdf.MutoolRenderer(Renderer.Options(o => o.MutoolPath = Path.Combine(files.Path, "none")));

        Assert.True(renderer.IsAvailable); // found where the sandbox looks, without running it
        var refusal = await Assert.ThrowsAsync<DocEngineException>(async () =>
            await renderer.RenderAsync(pdf, [1], 200, null, 2000, null, CancellationToken.None).ToListAsync());
        Assert.Equal((ErrorKind.FailedPrecondition, "RENDERER_MISSING"), (refusal.Kind, refusal.Reason));
        Assert.Null(renderer.Version);
        Assert.False(absent.IsAvailable);
        Assert.Null(absent.Version);
    }

    [SkippableFact]
    public async Task A_page_with_rotate_90_comes_out_landscape()
    {
        var renderer = Renderer.Create();
        using var files = new TempDirectory();
        var upright = Path.Combine(files.Path, "upright.pdf");
        var rotated = Path.Combine(files.Path, "rotated.pdf");
        await File.WriteAllBytesAsync(upright, SimplePdf(rotate: 0));
        await File.WriteAllBytesAsync(rotated, SimplePdf(rotate: 90));

        var plain = (await Renderer.RenderAsync(renderer, upright, new PreviewRequest(Width: 400))).Pages.Single();
        var turned = (await Renderer.RenderAsync(renderer, rotated, new PreviewRequest(Width: 400))).Pages.Single();

        Assert.True(plain.Height > plain.Width);
        Assert.True(turned.Width > turned.Height);
        Assert.Equal(400, turned.Width);
    }

    [SkippableFact]
    public async Task A_password_protected_pdf_needs_its_password_and_renders_with_it()
    {
        var renderer = Renderer.Create();
        var path = CorpusManifest.File("corpus", "pdf-general/qpdf__20-pages.pdf");

        var locked = await Assert.ThrowsAsync<DocEngineException>(() => Renderer.RenderAsync(renderer, path, new PreviewRequest(Pages: "1")));
        var wrong = await Assert.ThrowsAsync<DocEngineException>(() => Renderer.RenderAsync(renderer, path, new PreviewRequest(Pages: "1", Password: "nope")));
        var (plan, pages) = await Renderer.RenderAsync(renderer, path, new PreviewRequest(Pages: "2,4-5", Width: 200, Password: "user"));

        Assert.Equal((ErrorKind.FailedPrecondition, "PASSWORD_REQUIRED"), (locked.Kind, locked.Reason));
        Assert.StartsWith("This PDF is password-protected", locked.Message, StringComparison.Ordinal);
        Assert.Equal("WRONG_PASSWORD", wrong.Reason);
        Assert.Equal(20, plan.PageCount);
        Assert.Equal([2, 4, 5], pages.Select(p => p.Number));
    }

    [SkippableFact]
    public async Task A_dynamic_xfa_form_comes_with_the_placeholder_warning()
    {
        var renderer = Renderer.Create();
        var plan = await renderer.PlanAsync(CorpusManifest.File("scans", "pdfium__email_recommended.pdf"), null, new PreviewRequest(), CancellationToken.None);
        Assert.Contains(plan.Warnings, w => w.Contains("dynamic XFA form", StringComparison.Ordinal) && w.Contains("Please wait", StringComparison.Ordinal));

        var staticXfa = await renderer.PlanAsync(CorpusManifest.File("scans", "uscis__i-765.pdf"), null, new PreviewRequest(), CancellationToken.None);
        Assert.Empty(staticXfa.Warnings);
    }

    [SkippableFact]
    public async Task Cancelling_a_render_kills_its_mutool_process()
    {
        var renderer = Renderer.Create();
        using var files = new TempDirectory();
        var path = Path.Combine(files.Path, "cancel-me.pdf");
        File.Copy(CorpusManifest.File("corpus", "pdf-general/qpdf__hybrid-xref.pdf"), path);
        using var cancel = new CancellationTokenSource();
        var plan = await renderer.PlanAsync(path, null, new PreviewRequest(Width: 4000), CancellationToken.None);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var page in renderer.RenderAsync(path, null, plan.Pages, new PreviewRequest(Width: 4000), cancel.Token))
            {
                Assert.Equal(1, page.Number);
                for (var attempt = 0; attempt < 100 && RenderersOf(path).Count == 0; attempt++)
                {
                    await Task.Delay(20); // the next pages' renderers are starting
                }
                Assert.NotEmpty(RenderersOf(path));
                await cancel.CancelAsync();
            }
        });

        for (var attempt = 0; attempt < 50 && RenderersOf(path).Count > 0; attempt++)
        {
            await Task.Delay(100);
        }
        Assert.Empty(RenderersOf(path));
    }

    [SkippableFact]
    public async Task A_page_over_the_time_limit_is_resource_exhausted_with_a_sentence()
    {
        var renderer = Renderer.Create(Renderer.Options(o => o.MaxPageTime = TimeSpan.FromMilliseconds(50)));
        var path = CorpusManifest.File("scans", "paperless-ngx__many-qr-codes.pdf");

        var refusal = await Assert.ThrowsAsync<DocEngineException>(() => Renderer.RenderAsync(renderer, path, new PreviewRequest(Pages: "1", Width: 4000)));

        Assert.Equal((ErrorKind.ResourceExhausted, "PAGE_RENDER_TIMEOUT"), (refusal.Kind, refusal.Reason));
        Assert.StartsWith("Page 1 took longer than", refusal.Message, StringComparison.Ordinal);
    }

    [SkippableTheory]
    [InlineData("recurser__Landscape_1.jpg", 300, 200)]
    [InlineData("recurser__Landscape_5.jpg", 300, 200)]
    [InlineData("recurser__Landscape_7.jpg", 300, 200)]
    [InlineData("recurser__Portrait_2.jpg", 300, 450)]
    [InlineData("recurser__Portrait_6.jpg", 300, 450)]
    [InlineData("recurser__Portrait_8.jpg", 300, 450)]
    public async Task A_small_jpeg_preview_decoded_at_reduced_size_is_upright_and_looks_like_the_full_decode(string name, int width, int height)
    {
        var renderer = Renderer.Create();
        var path = CorpusManifest.File("corpus", "exif-orientation/" + name);

        var small = (await Renderer.RenderAsync(renderer, path, new PreviewRequest(Width: width))).Pages.Single(); // 1/4 DCT scale
        var full = (await Renderer.RenderAsync(renderer, path, new PreviewRequest(Width: 1200))).Pages.Single(); // whole decode

        Assert.Equal((width, height), (small.Width, small.Height));
        using var reduced = Pixels.Load(small.Bytes);
        using var whole = Pixels.Load(full.Bytes);
        Assert.True(Pixels.MeanAbsoluteError(reduced, whole) < 6, $"{name}: the reduced decode differs from the whole one.");
    }

    [SkippableFact]
    public async Task Images_preview_upright_and_a_contact_sheet_labels_every_page()
    {
        var renderer = Renderer.Create();
        var portrait = (await Renderer.RenderAsync(renderer, CorpusManifest.File("corpus", "exif-orientation/recurser__Portrait_6.jpg"), new PreviewRequest(Width: 300))).Pages.Single();
        Assert.Equal((300, 450), (portrait.Width, portrait.Height));

        var (_, thumbnails) = await Renderer.RenderAsync(renderer, CorpusManifest.File("corpus", "pdf-general/qpdf__to-rotate.pdf"), new PreviewRequest(Width: 120));
        var sheet = ContactSheet.Build(thumbnails, PreviewFormat.Png);
        Assert.Equal(20, thumbnails.Count);
        Assert.True(sheet.Width > 5 * 120 && sheet.Height > 4 * 120);
        Assert.False(IsBlank(sheet.Bytes));
    }

    [Theory]
    [InlineData("", 5, new[] { 1, 2, 3, 4, 5 })]
    [InlineData("1-3,7", 9, new[] { 1, 2, 3, 7 })]
    [InlineData("4-", 6, new[] { 4, 5, 6 })]
    [InlineData("2, 2,1", 3, new[] { 1, 2 })]
    [InlineData("3-99", 5, new[] { 3, 4, 5 })]
    public void Page_lists_are_read_as_people_write_them(string text, int count, int[] pages) =>
        Assert.Equal(pages, PageSelection.Parse(text, count));

    [Theory]
    [InlineData("x", ErrorKind.InvalidArgument)]
    [InlineData("3-1", ErrorKind.InvalidArgument)]
    [InlineData("0", ErrorKind.InvalidArgument)]
    [InlineData("12", ErrorKind.OutOfRange)]
    public void Page_lists_that_make_no_sense_are_refused(string text, ErrorKind kind) =>
        Assert.Equal(kind, Assert.Throws<DocEngineException>(() => PageSelection.Parse(text, 10)).Kind);

    internal static bool IsBlank(byte[] encoded)
    {
        using var image = Image.Load<Rgb24>(encoded);
        var first = image[0, 0];
        var blank = true;
        image.ProcessPixelRows(rows =>
        {
            for (var y = 0; y < rows.Height && blank; y++)
            {
                foreach (var pixel in rows.GetRowSpan(y))
                {
                    if (!pixel.Equals(first))
                    {
                        blank = false;
                        break;
                    }
                }
            }
        });
        return blank;
    }

    private static List<(int, int)> MutoolSizes(string path, string? password, int pages)
    {
        using var output = new TempDirectory();
        var start = new ProcessStartInfo("mutool") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "draw", "-q", "-o", Path.Combine(output.Path, "page-%d.png"), "-F", "png", "-w", Width.ToString(System.Globalization.CultureInfo.InvariantCulture) }
            .Concat(password is null ? [] : ["-p", password]).Concat([path, $"1-{pages}"]))
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        process.WaitForExit();
        return Enumerable.Range(1, pages).Select(page => Path.Combine(output.Path, $"page-{page}.png")).Where(File.Exists)
            .Select(file => Image.Identify(file)).Select(info => (info.Width, info.Height)).ToList();
    }

    private static List<int> RenderersOf(string path) =>
        Process.GetProcesses().Where(p =>
        {
            try
            {
                return File.ReadAllText($"/proc/{p.Id}/cmdline").Contains(path, StringComparison.Ordinal);
            }
            catch (IOException)
            {
                return false;
            }
            catch (UnauthorizedAccessException)
            {
                return false;
            }
        }).Select(p => p.Id).ToList();

    private static string SharedCorpusRoot() => Corpus.SharedCorpus.RequireOrSkip();

    internal static byte[] SimplePdf(int rotate)
    {
        var content = "BT /F1 48 Tf 72 700 Td (Page) Tj ET 0 0 1 rg 72 72 200 100 re f";
        var objects = new[]
        {
            "<< /Type /Catalog /Pages 2 0 R >>",
            $"<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 612 792] /Rotate {rotate} >>",
            "<< /Type /Page /Parent 2 0 R /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
            $"<< /Length {content.Length} >>\nstream\n{content}\nendstream",
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        };
        var pdf = new StringBuilder("%PDF-1.4\n");
        var offsets = new List<int>();
        for (var i = 0; i < objects.Length; i++)
        {
            offsets.Add(pdf.Length);
            pdf.Append($"{i + 1} 0 obj\n{objects[i]}\nendobj\n");
        }
        var xref = pdf.Length;
        pdf.Append($"xref\n0 {objects.Length + 1}\n0000000000 65535 f \n");
        offsets.ForEach(o => pdf.Append($"{o:D10} 00000 n \n"));
        pdf.Append($"trailer\n<< /Size {objects.Length + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n");
        return Encoding.Latin1.GetBytes(pdf.ToString());
    }
}
