using DocEngine.Core.Imaging;
using DocEngine.Core.Mupdf;
using System.Globalization;
using DocEngine.Core.Storage;
using PdfSharp.Pdf;
using PdfSharp.Pdf.IO;

namespace DocEngine.Core.Pdf;

/// <summary>How to compress a PDF.</summary>
/// <param name="MaxBytes">Land under this size at the highest quality that fits; split into parts when the legibility floor does not fit. Null: no budget.</param>
/// <param name="SplitTo">Split (without recompressing images, unless <paramref name="MaxBytes"/> is set too) into consecutive-page parts of at most this size.</param>
/// <param name="TargetDpi">Image resolution to bring images down to (never up). Null: the configured default (150).</param>
/// <param name="Gray">Make every image gray.</param>
/// <param name="Password">The PDF's password, when it needs one.</param>
/// <param name="AllowBreakingSignatures">Compress a signed PDF although it breaks its signatures.</param>
/// <param name="Xfa">What to do with an XFA form beside the PDF's own pages.</param>
public sealed record PdfCompressionRequest(long? MaxBytes = null, long? SplitTo = null, int? TargetDpi = null, bool Gray = false,
    string? Password = null, bool AllowBreakingSignatures = false, XfaHandling Xfa = XfaHandling.Auto)
{
    /// <summary>The smallest budget accepted: a page of text needs more than this.</summary>
    public const long MinBudget = 20_000;

    /// <summary>Refuses budgets no PDF can meet, with the field at fault.</summary>
    public void Validate()
    {
        if (MaxBytes is < MinBudget)
        {
            throw new DocEngineException(ErrorKind.InvalidArgument, "BUDGET_TOO_SMALL",
                $"The size limit must be at least {ByteSize.Describe(MinBudget)}, for example 4MB.") { Field = "max_bytes" };
        }
        if (SplitTo is < MinBudget)
        {
            throw new DocEngineException(ErrorKind.InvalidArgument, "BUDGET_TOO_SMALL",
                $"The part size must be at least {ByteSize.Describe(MinBudget)}, for example 4MB.") { Field = "split_to" };
        }
        if (TargetDpi is < 10 or > 2400)
        {
            throw new DocEngineException(ErrorKind.InvalidArgument, "INVALID_DPI", "The target dpi must be between 10 and 2400, for example 150.") { Field = "dpi" };
        }
    }
}

/// <summary>What compressing does with an XFA form (XML form data that only Adobe's viewers draw, kept beside the PDF's own pages).</summary>
public enum XfaHandling
{
    /// <summary>Drop it where the result looks the same: a static form whose AcroForm pages every viewer draws, and no signature covers it.</summary>
    Auto,
    /// <summary>Keep it.</summary>
    Keep,
    /// <summary>Drop it whenever no signature covers it, even from a dynamic form (whose pages then show the placeholder page every other viewer shows).</summary>
    Drop,
}

/// <summary>One output file: a whole PDF, or part <c>i</c> of <c>N</c> holding consecutive pages.</summary>
/// <param name="Path">Where it was written.</param>
/// <param name="Bytes">Its size.</param>
/// <param name="FirstPage">First page of the original it holds, 1-based.</param>
/// <param name="LastPage">Last page of the original it holds.</param>
public sealed record PdfPart(string Path, long Bytes, int FirstPage, int LastPage);

/// <summary>What compressing produced.</summary>
/// <param name="Parts">One part, or several that together hold every page in order.</param>
/// <param name="Pages">Pages in the original.</param>
/// <param name="Report">Bytes before and after, every action, warnings, and the image resolution and quality chosen.</param>
/// <param name="Unchanged">The one part is the input, byte for byte (signed, or nothing made it smaller).</param>
public sealed record PdfCompression(IReadOnlyList<PdfPart> Parts, int Pages, ProcessingReport Report, bool Unchanged = false)
{
    /// <summary>True when MuPDF had to repair a damaged structure to read it: the result is what a repairing viewer shows.</summary>
    public bool Repaired { get; init; }
}

/// <summary>
/// Makes PDFs fit. PDFsharp reads the PDF (MuPDF's <c>mutool clean</c> repairs or decrypts it first when needed), drops
/// page thumbnails and editor data, re-deflates streams and runs the image pass at a resolution and JPEG quality; MuPDF
/// then drops unused objects, merges duplicates and compresses what is left. With a byte budget, the quality ladder
/// starts from an estimate made on the first try, lands at the highest step that fits, and stops at the legibility
/// floor; below it, the pages are split into consecutive parts that each fit. Signed PDFs come back byte for byte unless
/// the caller allows breaking them, and no output is larger than the input unless it is a repaired or decrypted one.
/// See README.md beside this file.
/// </summary>
public sealed class PdfCompressor(MutoolRenderer mutool, PdfOptions options)
{
    private readonly ImagingConfiguration _imaging = new(options);
    private readonly ObjectStreamPacker _packer = new(options.QpdfPath, options.MaxProcessingTime, 1024);

    /// <summary>Compresses <paramref name="inputPath"/>, writing the parts into <paramref name="outputDirectory"/> (part-1.pdf, …).</summary>
    public async Task<PdfCompression> CompressAsync(string inputPath, PdfCompressionRequest request, string outputDirectory, CancellationToken cancellationToken)
    {
        request.Validate();
        inputPath = Path.GetFullPath(inputPath); // mutool runs in a scratch directory
        var before = new FileInfo(inputPath).Length;
        var actions = new List<string>();
        var warnings = new List<string>();
        var facts = Inspect(inputPath, request.Password);
        if (facts is { PasswordRequired: true })
        {
            throw PdfRefusals.PasswordRequired();
        }
        var budget = request.MaxBytes ?? request.SplitTo;
        if (facts is { SignedSignatureFields: > 0 } && !request.AllowBreakingSignatures)
        {
            actions.Add($"Left it byte for byte as it was: it is digitally signed ({facts.SignedSignatureFields} signature(s)), and any change would break the signature. Allow breaking signatures to compress it anyway.");
            if (before > budget)
            {
                warnings.Add($"It is {ByteSize.Describe(before)}, over the {ByteSize.Describe(budget.Value)} limit: ask the signer for a smaller signed file, or allow breaking the signature.");
            }
            return Original(inputPath, outputDirectory, facts.Pages, before, actions, warnings);
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.MaxProcessingTime);
        var scratch = Directory.CreateDirectory(Path.Combine(outputDirectory, ".work-" + Ids.New()));
        try
        {
            // MuPDF reads first only what PDFsharp cannot: damaged or encrypted files. Not deflated yet: most of what is
            // uncompressed in a scan is image data the image pass replaces anyway (a 75 MB scan: 1.6 s instead of 5.9 s).
            var source = new Source(mutool, _packer, inputPath, Path.Combine(scratch.FullName, "clean.pdf"), request.Password);
            if (facts is null || facts.Encryption != PdfEncryption.None)
            {
                await source.CleanAsync(deadline.Token).ConfigureAwait(false);
            }
            if (facts?.Encryption == PdfEncryption.OpensWithoutPassword && string.IsNullOrEmpty(request.Password))
            {
                warnings.Add("It had an owner password (restrictions on printing or copying); the compressed copy is not encrypted.");
            }
            else if (!string.IsNullOrEmpty(request.Password))
            {
                actions.Add("Opened it with the password; the compressed copy is not encrypted.");
            }
            var pages = facts?.Pages ?? await mutool.CountPagesAsync(source.Path, null, deadline.Token).ConfigureAwait(false) ?? 0;
            if (pages == 0)
            {
                throw new DocEngineException(ErrorKind.InvalidArgument, "DAMAGED_FILE",
                    "This PDF is too damaged to repair: no page of it can be found. Open it in a PDF viewer and save or print it to a new PDF, then upload that.");
            }
            var dropXfa = DecideXfa(facts, request, actions);
            var attempts = new Attempts(source, scratch.FullName, request.Gray, facts is null || !string.IsNullOrEmpty(request.Password), pages, options, _imaging, dropXfa, deadline.Token);
            var result = await ChooseAsync(inputPath, before, request, attempts, outputDirectory, actions, warnings).ConfigureAwait(false);
            var said = new List<string>();
            if (!result.Unchanged)
            {
                said.Add("Rewrote it losslessly: unused objects dropped, duplicate objects merged, streams compressed and objects packed into object streams, page thumbnails and editor data removed.");
                if (attempts.Merged > 0)
                {
                    said.Add($"Shared {attempts.Merged} object(s) once that the file repeated (fonts, images, colour profiles and resources of merged parts).");
                }
                if (attempts.Fonts is { Fonts: > 0 } fonts)
                {
                    said.Add($"Dropped the glyphs nothing shows from {fonts.Fonts} embedded font(s), {ByteSize.Describe(fonts.BytesBefore)} → {ByteSize.Describe(fonts.BytesAfter)}; the text stays selectable.");
                }
            }
            if (source.Repaired)
            {
                said.Add("Repaired the PDF's damaged structure, as a PDF viewer does when it opens it.");
            }
            return result with { Report = result.Report with { Actions = [.. said, .. result.Report.Actions] }, Repaired = source.Repaired };
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new DocEngineException(ErrorKind.ResourceExhausted, "PROCESSING_TIMEOUT",
                $"This PDF took longer than {options.MaxProcessingTime.TotalSeconds:0} seconds to compress: split it into smaller files, or scan it at a lower resolution.");
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }

    private async Task<PdfCompression> ChooseAsync(string inputPath, long before, PdfCompressionRequest request, Attempts attempts, string outputDirectory,
        List<string> actions, List<string> warnings)
    {
        if (request.MaxBytes is null && request.SplitTo is { } partLimit)
        {
            // Split alone: no image is touched.
            var lossless = await attempts.MakeAsync(null).ConfigureAwait(false);
            return lossless.Bytes <= partLimit
                ? Keep(inputPath, before, lossless, null, outputDirectory, actions, warnings)
                : Split(lossless, partLimit, null, outputDirectory, before, actions, warnings);
        }
        if (request.MaxBytes is not { } limit || before <= limit)
        {
            // A budget only ever lowers the quality further: a file that already fits is compressed as without one, so
            // asking for a limit never returns a bigger file than not asking (and never bigger than Ghostscript's /ebook).
            if (request.MaxBytes is { } fits)
            {
                actions.Add($"It already fits under {ByteSize.Describe(fits)}, so it was compressed as without a limit.");
            }
            var dpi = request.TargetDpi ?? options.PdfImageDpi;
            var level = new Level(dpi, options.PdfJpegQuality, Math.Max(dpi, options.PdfBilevelDpi));
            return Keep(inputPath, before, await attempts.MakeAsync(level).ConfigureAwait(false), level, outputDirectory, actions, warnings);
        }

        var ladder = Ladder(request.TargetDpi ?? options.PdfImageDpi);
        var top = await attempts.MakeAsync(ladder[0]).ConfigureAwait(false);
        if (top.Unreadable)
        {
            warnings.Add(Unreadable);
            return top.Bytes <= limit
                ? Keep(inputPath, before, top, null, outputDirectory, actions, warnings)
                : throw new DocEngineException(ErrorKind.ResourceExhausted, "CANNOT_FIT",
                    $"This PDF's structure is too unusual to recompress or split, and rewritten losslessly it is {ByteSize.Describe(top.Bytes)}, over {ByteSize.Describe(limit)}: print it to a new PDF and try that.")
                { Field = "max_bytes" };
        }
        var tried = new Dictionary<int, Attempt> { [0] = top };
        var start = Estimate(top, ladder, limit);
        var index = start;
        async Task<Attempt> TryAsync(int i) => tried.TryGetValue(i, out var done) ? done : tried[i] = await attempts.MakeAsync(ladder[i]).ConfigureAwait(false);
        if ((await TryAsync(index).ConfigureAwait(false)).Bytes <= limit)
        {
            while (index > 0 && (await TryAsync(index - 1).ConfigureAwait(false)).Bytes <= limit)
            {
                index--; // a step up fits too: take the higher quality
            }
        }
        else
        {
            while (index < ladder.Count - 1 && (await TryAsync(index).ConfigureAwait(false)).Bytes > limit)
            {
                index++;
            }
        }
        var chosen = await TryAsync(index).ConfigureAwait(false);
        actions.Add(string.Create(CultureInfo.InvariantCulture,
            $"Tried {tried.Count} quality step(s), starting from an estimate (step {start + 1} of {ladder.Count}); chose images at {ladder[index].Dpi} dpi, JPEG quality {ladder[index].Quality}."));
        if (chosen.Bytes <= limit)
        {
            return Keep(inputPath, before, chosen, ladder[index], outputDirectory, actions, warnings);
        }
        var held = chosen.Images.Count(i => i.Sentence.Contains("would look too different", StringComparison.Ordinal));
        warnings.Add($"Even at the legibility floor ({ladder[^1].Dpi} dpi, JPEG quality {ladder[^1].Quality}), with black-and-white images at {ladder[^1].BilevelDpi} dpi where they stay legible"
            + (held > 0 ? $" ({held} would not, so they kept their resolution)" : "")
            + $", it is {ByteSize.Describe(chosen.Bytes)}, over {ByteSize.Describe(limit)}: one file cannot hold it legibly, so it was split into parts that each fit.");
        return Split(chosen, limit, ladder[index], outputDirectory, before, actions, warnings);
    }

    /// <summary>
    /// Whether to drop the XFA form (issue 18), and the sentence that says which. Never under a signature: the signed
    /// bytes include it. By default only from a static form: its pages are AcroForm pages that every viewer draws, and
    /// MuPDF (these previews, and most viewers other than Adobe's) never reads the XFA, so they look the same; a dynamic
    /// form's pages exist only in its XFA.
    /// </summary>
    private static bool DecideXfa(PdfOutline? facts, PdfCompressionRequest request, List<string> actions)
    {
        if (facts is not { HasXfa: true })
        {
            return false;
        }
        if (facts.SignedSignatureFields > 0)
        {
            actions.Add("Kept its XFA form: a signature covers it.");
            return false;
        }
        switch (request.Xfa)
        {
            case XfaHandling.Keep:
                actions.Add("Kept its XFA form, as asked.");
                return false;
            case XfaHandling.Auto when facts.IsDynamicXfa:
                actions.Add("Kept its XFA form: it is a dynamic form, whose pages only Adobe's viewers draw from the XFA; dropping it would leave the placeholder page.");
                return false;
            case XfaHandling.Drop when facts.IsDynamicXfa:
                actions.Add("Dropped its XFA form, as asked: it was a dynamic form, so every viewer now shows its placeholder page, as viewers other than Adobe's always did.");
                return true;
            default:
                actions.Add("Dropped its XFA form (the XML copy of the form that only Adobe's viewers read): its pages are AcroForm pages that every viewer draws, so it looks the same, and its fields keep working.");
                return true;
        }
    }

    /// <summary>The quality ladder from the target down to the legibility floor, highest first.</summary>
    private List<Level> Ladder(int dpi)
    {
        var (floorDpi, floorQuality) = (Math.Min(dpi, options.MinPdfImageDpi), Math.Min(options.PdfJpegQuality, options.MinPdfJpegQuality));
        (double Scale, int QualityDrop)[] steps = [(1.0, 0), (1.0, 10), (0.85, 15), (0.75, 20), (0.67, 25), (0, 100)];
        var bilevel = Math.Max(dpi, options.PdfBilevelDpi);
        List<Level> ladder = [.. steps.Select(s => new Level(Math.Max(floorDpi, (int)Math.Round(dpi * s.Scale)), Math.Max(floorQuality, options.PdfJpegQuality - s.QualityDrop), bilevel)).Distinct()];
        // Below the floor of colour and gray images, before any split: black-and-white pages at 300 dpi, then at the
        // lower resolution, each image brought down only where it stays legible (see PdfImageRecompressor).
        foreach (var step in new[] { 300, options.MinPdfBilevelDpi }.Where(d => d < ladder[^1].BilevelDpi))
        {
            ladder.Add(ladder[^1] with { BilevelDpi = step });
        }
        return ladder;
    }

    /// <summary>
    /// The first step predicted to fit: image bytes scale with the pixel count (dpi squared) and roughly with the JPEG
    /// quantizer scale to the power -0.7; everything else stays.
    /// </summary>
    private static int Estimate(Attempt top, List<Level> ladder, long limit)
    {
        var rest = Math.Max(0, top.Bytes - top.ImageBytes);
        static double Size(int quality) => Math.Pow(quality < 50 ? 5000.0 / quality : 200 - 2.0 * quality, -0.7);
        for (var i = 0; i < ladder.Count; i++)
        {
            var ratio = Math.Pow(ladder[i].Dpi / (double)ladder[0].Dpi, 2) * Size(ladder[i].Quality) / Size(ladder[0].Quality);
            if (rest + top.ImageBytes * ratio <= limit * 0.97)
            {
                return i;
            }
        }
        return ladder.Count - 1;
    }

    private PdfCompression Keep(string inputPath, long before, Attempt attempt, Level? level, string outputDirectory, List<string> actions, List<string> warnings)
    {
        actions.AddRange(attempt.Images.Where(i => i.BytesAfter < i.BytesBefore).Select(i => i.Sentence));
        if (attempt.Unreadable && !warnings.Contains(Unreadable))
        {
            warnings.Add(Unreadable);
        }
        if (attempt.MustRewrite && attempt.Bytes >= before)
        {
            // Worth a few bytes: the damaged original may be refused by the portal's own checks; the locked one cannot be read.
            warnings.Add($"The result is {ByteSize.Describe(attempt.Bytes - before)} larger than the original, and is returned anyway because it is repaired or no longer password-protected.");
        }
        else if (attempt.Bytes >= before)
        {
            actions.Add($"Kept the original file: nothing made it smaller than {ByteSize.Describe(before)}.");
            return Original(inputPath, outputDirectory, attempt.Pages, before, actions, warnings);
        }
        if (level is not null)
        {
            actions.Add(ImageSentence(attempt, level));
        }
        var path = Path.Combine(outputDirectory, "part-1.pdf");
        File.Move(attempt.Path, path, overwrite: true);
        return Whole(path, attempt.Pages, level?.Dpi, level?.Quality, before, actions, warnings);
    }

    private const string Unreadable = "Its images could not be recompressed, because its internal structure is too unusual; it was only rewritten losslessly.";

    private static PdfCompression Split(Attempt attempt, long limit, Level? level, string outputDirectory, long before, List<string> actions, List<string> warnings)
    {
        if (attempt.Unreadable)
        {
            throw new DocEngineException(ErrorKind.ResourceExhausted, "CANNOT_SPLIT",
                $"This PDF's structure is too unusual to split, and it is {ByteSize.Describe(attempt.Bytes)}, over {ByteSize.Describe(limit)}: print it to a new PDF and try that.")
            { Field = "split_to" };
        }
        actions.AddRange(attempt.Images.Where(i => i.BytesAfter < i.BytesBefore).Select(i => i.Sentence));
        if (level is not null)
        {
            actions.Add(ImageSentence(attempt, level));
        }
        var parts = new List<PdfPart>();
        using (var source = PdfReader.Open(attempt.Path, PdfDocumentOpenMode.Import))
        {
            var first = 0;
            while (first < source.PageCount)
            {
                var path = Path.Combine(outputDirectory, $"part-{parts.Count + 1}.pdf");
                var trial = path + ".trial";
                var (last, size) = (first, 0L);
                while (last < source.PageCount)
                {
                    var bytes = SavePages(source, first, last, trial);
                    if (bytes > limit)
                    {
                        break;
                    }
                    File.Move(trial, path, overwrite: true);
                    (last, size) = (last + 1, bytes);
                }
                File.Delete(trial);
                if (last == first)
                {
                    throw new DocEngineException(ErrorKind.ResourceExhausted, "PAGE_TOO_LARGE",
                        $"Page {first + 1} alone is larger than {ByteSize.Describe(limit)} even at the legibility floor: rescan that page in black and white or at a lower resolution, or use a larger limit.")
                    { Field = "max_bytes" };
                }
                parts.Add(new PdfPart(path, size, first + 1, last));
                first = last;
            }
        }
        actions.Add(string.Join(" ", new[] { $"Split into {parts.Count} part(s) of consecutive pages, each under {ByteSize.Describe(limit)}:" }
            .Concat(parts.Select((p, i) => $"part {i + 1} of {parts.Count} is {(p.FirstPage == p.LastPage ? $"page {p.FirstPage}" : $"pages {p.FirstPage}–{p.LastPage}")} ({ByteSize.Describe(p.Bytes)}){(i == parts.Count - 1 ? "." : ";")}"))));
        return new PdfCompression(parts, attempt.Pages, new ProcessingReport(before, parts.Sum(p => p.Bytes), actions, warnings)
        {
            ImageDpi = level?.Dpi,
            JpegQuality = level?.Quality,
        });
    }

    private static long SavePages(PdfDocument source, int first, int last, string path)
    {
        using var part = new PdfDocument();
        for (var page = first; page <= last; page++)
        {
            part.AddPage(source.Pages[page]);
        }
        Attempts.Save(part, path);
        return new FileInfo(path).Length;
    }

    private static string ImageSentence(Attempt attempt, Level level)
    {
        var changed = attempt.Images.Count(i => i.BytesAfter < i.BytesBefore);
        return string.Create(CultureInfo.InvariantCulture,
            $"Recompressed {changed} of {attempt.Images.Count} image(s) at up to {level.Dpi} dpi, JPEG quality {level.Quality}; {attempt.Images.Count - changed} kept as they were.");
    }

    private static PdfCompression Whole(string path, int pages, int? dpi, int? quality, long before, List<string> actions, List<string> warnings)
    {
        var size = new FileInfo(path).Length;
        return new PdfCompression([new PdfPart(path, size, 1, pages)], pages, new ProcessingReport(before, size, actions, warnings)
        {
            ImageDpi = dpi,
            JpegQuality = quality,
        });
    }

    /// <summary>The input itself as the one part.</summary>
    private static PdfCompression Original(string inputPath, string outputDirectory, int pages, long before, List<string> actions, List<string> warnings)
    {
        var path = Path.Combine(outputDirectory, "part-1.pdf");
        File.Copy(inputPath, path, overwrite: true);
        return Whole(path, pages, null, null, before, actions, warnings) with { Unchanged = true };
    }

    /// <summary>What the gate needs to know, or null when PdfPig cannot read it (mutool may still repair it).</summary>
    private static PdfOutline? Inspect(string path, string? password)
    {
        using var content = File.OpenRead(path);
        try
        {
            return PdfInspector.Outline(content, password);
        }
        catch (DocEngineException damaged) when (damaged.Reason == "DAMAGED_FILE"
            && !damaged.Details.GetValueOrDefault("parser_message", "").Contains("ncrypt", StringComparison.Ordinal))
        {
            return null; // (Not damaged encryption: "repairing" that writes still-encrypted bytes as if they were plain.)
        }
    }

    /// <summary>A step of the quality ladder.</summary>
    private sealed record Level(int Dpi, int Quality, int BilevelDpi);

    /// <summary>One candidate output.</summary>
    /// <param name="Unreadable">PDFsharp could not read the cleaned file, so this is mutool's lossless rewrite alone.</param>
    /// <param name="MustRewrite">The input was damaged (this is repaired) or needed a password (this is not encrypted).</param>
    private sealed record Attempt(string Path, long Bytes, long ImageBytes, int Pages, IReadOnlyList<PdfImageRecompressor.Outcome> Images,
        bool Unreadable, bool MustRewrite);

    /// <summary>The file the image pass reads: the input itself, or MuPDF's repaired, decrypted rewrite of it once needed.</summary>
    private sealed class Source(MutoolRenderer mutool, ObjectStreamPacker packer, string input, string cleaned, string? password)
    {
        /// <summary>What to read now.</summary>
        public string Path => Cleaned ? cleaned : input;

        /// <summary>Whether MuPDF has rewritten it.</summary>
        public bool Cleaned { get; private set; }

        /// <summary>Whether MuPDF had to repair it.</summary>
        public bool Repaired { get; private set; }

        public async Task CleanAsync(CancellationToken cancellationToken)
        {
            Repaired = await mutool.CleanAsync(input, cleaned, password, deflate: false, cancellationToken).ConfigureAwait(false);
            Cleaned = true;
        }

        /// <summary>
        /// The final lossless pass: MuPDF deflates what is still uncompressed, merges duplicates and drops what nothing
        /// uses; then qpdf packs the remaining objects into object streams, kept when smaller.
        /// </summary>
        public async Task FinishAsync(string from, string to, CancellationToken cancellationToken)
        {
            var cleaned = to + ".mupdf";
            await mutool.CleanAsync(from, cleaned, null, deflate: true, cancellationToken).ConfigureAwait(false);
            if (await packer.PackAsync(cleaned, to, cancellationToken).ConfigureAwait(false) && new FileInfo(to).Length < new FileInfo(cleaned).Length)
            {
                File.Delete(cleaned);
                return;
            }
            File.Move(cleaned, to, overwrite: true);
        }
    }

    /// <summary>
    /// Makes candidates from the source, each from scratch: PDFsharp's image pass on the thread pool, then MuPDF
    /// deflates whatever is still uncompressed, so each candidate's size is the size it will have.
    /// </summary>
    private sealed class Attempts(Source source, string scratch, bool gray, bool mustRewrite, int pages,
        PdfOptions options, ImagingConfiguration imaging, bool dropXfa, CancellationToken cancellationToken)
    {
        private int _count;

        /// <summary>Objects the last pass found identical to another and shared once.</summary>
        public int Merged { get; private set; }

        /// <summary>Embedded fonts the last pass dropped unused glyphs from.</summary>
        public PdfFontSubsetter.Outcome Fonts { get; private set; } = new(0, 0, 0);
        private readonly PdfImageRecompressor.Memo _memo = new();

        public async Task<Attempt> MakeAsync(Level? level)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var path = System.IO.Path.Combine(scratch, $"attempt-{++_count}.pdf");
            var rewritten = path + ".pdfsharp";
            try
            {
                (int Pages, List<PdfImageRecompressor.Outcome> Images) pass;
                try
                {
                    pass = await Task.Run(() => ImagePass(rewritten, level), cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (Unreadable(e) && !source.Cleaned)
                {
                    await source.CleanAsync(cancellationToken).ConfigureAwait(false); // PDFsharp is stricter than MuPDF: try MuPDF's rewrite
                    pass = await Task.Run(() => ImagePass(rewritten, level), cancellationToken).ConfigureAwait(false);
                }
                await source.FinishAsync(rewritten, path, cancellationToken).ConfigureAwait(false);
                return new Attempt(path, new FileInfo(path).Length, pass.Images.Where(i => i.Scalable).Sum(i => i.BytesAfter), pass.Pages, pass.Images,
                    Unreadable: false, mustRewrite || source.Repaired);
            }
            catch (Exception e) when (Unreadable(e))
            {
                // What MuPDF can rewrite is still a lossless, repaired result.
                await source.FinishAsync(source.Path, path, cancellationToken).ConfigureAwait(false);
                return new Attempt(path, new FileInfo(path).Length, 0, pages, [], Unreadable: true, mustRewrite || source.Repaired);
            }
            finally
            {
                File.Delete(rewritten);
            }
        }

        private static bool Unreadable(Exception e) => e is not OperationCanceledException and not DocEngineException and not OutOfMemoryException;

        private (int Pages, List<PdfImageRecompressor.Outcome> Images) ImagePass(string output, Level? level)
        {
            using var document = PdfReader.Open(source.Path, PdfDocumentOpenMode.Modify);
            RemoveJunk(document);
            if (dropXfa)
            {
                DropXfa(document);
            }
            Merged = PdfDeduplicator.Run(document, cancellationToken);
            Fonts = PdfFontSubsetter.Run(document, cancellationToken);
            Redeflate(document, cancellationToken);
            var images = level is null
                ? []
                : PdfImageRecompressor.Run(document, new PdfImageRecompressor.Settings(level.Dpi, level.Quality, level.BilevelDpi, gray, options.MinBilevelSimilarity),
                    imaging, options.PdfImageParallelism, _memo, cancellationToken);
            var count = document.PageCount;
            Save(document, output);
            return (count, images);
        }

        public static void Save(PdfDocument document, string path)
        {
            // MuPDF deflates afterwards. PDFsharp 6.2's own deflate of content streams ends them without the final
            // block (qpdf --check: "input stream is complete but output may still be valid").
            document.Options.CompressContentStreams = false;
            document.Save(path);
        }

        /// <summary>
        /// Deflates again, at zlib's smallest setting, every non-image stream that is plainly Flate-compressed (fonts,
        /// content, forms), keeping the new bytes only when they are smaller. The content stays the same byte for byte.
        /// </summary>
        private static void Redeflate(PdfDocument document, CancellationToken cancellationToken)
        {
            foreach (var dictionary in document.Internals.GetAllObjects().OfType<PdfDictionary>())
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (dictionary.Stream is not { } stream || dictionary.Elements.GetName("/Subtype") == "/Image"
                    || dictionary.Elements["/Filter"] is not PdfName { Value: "/FlateDecode" } || dictionary.Elements.ContainsKey("/DecodeParms"))
                {
                    continue;
                }
                if (FlateStreams.Inflate(dictionary) is not { } plain)
                {
                    continue; // not a clean zlib stream (ZLibException is an IOException): leave it as it is
                }
                var deflated = FlateStreams.Deflate(plain);
                if (deflated.Length < stream.Value.Length)
                {
                    stream.Value = deflated;
                }
            }
        }

        private static void DropXfa(PdfDocument document)
        {
            document.Internals.Catalog.Elements.GetDictionary("/AcroForm")?.Elements.Remove("/XFA");
            document.Internals.Catalog.Elements.Remove("/NeedsRendering");
        }

        /// <summary>Page thumbnails and editors' private data: nothing a viewer shows.</summary>
        private static void RemoveJunk(PdfDocument document)
        {
            foreach (var page in document.Pages)
            {
                page.Elements.Remove("/Thumb");
                page.Elements.Remove("/PieceInfo");
            }
            document.Internals.Catalog.Elements.Remove("/PieceInfo");
        }
    }
}
