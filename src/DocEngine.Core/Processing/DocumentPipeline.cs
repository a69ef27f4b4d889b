using DocEngine.Core.Archive;
using DocEngine.Core.Conversion;
using DocEngine.Core.Detection;
using DocEngine.Core.Mupdf;
using DocEngine.Core.Ocr;
using DocEngine.Core.Pdf;
using DocEngine.Core.Workers;

namespace DocEngine.Core.Processing;

/// <summary>The converters a pipeline may call on: LibreOffice for office files, Tesseract for scans, Ghostscript for PDF/A.</summary>
/// <param name="Office">Word, OpenDocument, RTF and spreadsheets into PDF.</param>
/// <param name="Ocr">Searchable text for pages without it.</param>
/// <param name="Archive">PDF/A-2b copies.</param>
public sealed record DocumentConverters(OfficeConverter Office, TesseractOcr Ocr, PdfAWriter Archive);

/// <summary>
/// The PDF path of processing, on files: an office document is converted to PDF first; then, in this order, OCR (on the
/// images as they are), compression to the budget (only when asked for one, or when neither OCR nor PDF/A was asked: the
/// page images are never changed by OCR or PDF/A alone), and the PDF/A-2b copy of each part. Used by the service's
/// renditions, the offline CLI and the batch, so all three say and do the same. Reading the PDF (its outline, after the
/// PDF limits) and compressing it run in a worker of <paramref name="workers"/>; LibreOffice, Tesseract, Ghostscript and
/// MuPDF are sandboxed processes of their own, started from here.
/// </summary>
public sealed class DocumentPipeline(WorkerPool workers, PdfOptions options, MutoolRenderer mutool, DocumentConverters converters)
{
    /// <summary>The converters this pipeline uses.</summary>
    public DocumentConverters Converters { get; } = converters;

    /// <summary>
    /// Runs on the PDF or office file <paramref name="input"/> (detected as <paramref name="type"/>); the parts it returns
    /// are files in <paramref name="scratch"/>, which the caller moves or stores.
    /// </summary>
    public async Task<PdfCompression> RunAsync(string input, DetectedType type, string? fileName, ProcessingRequest request, PdfCompressionRequest pdf,
        string scratch, CancellationToken cancellationToken)
    {
        var actions = new List<string>();
        var warnings = new List<string>();
        var before = new FileInfo(input).Length;
        string? convertedFrom = null;
        var current = input;
        if (OfficeConverter.CanConvert(type.Kind))
        {
            if (request.Format is not (OutputFormat.Keep or OutputFormat.Pdf))
            {
                throw new DocEngineException(ErrorKind.InvalidArgument, "OFFICE_BECOMES_PDF",
                    $"{char.ToUpperInvariant(type.Description[0])}{type.Description[1..]} becomes a PDF: ask for the pdf format (or keep), then preview the PDF's pages as images.")
                { Field = "format" };
            }
            current = Path.Combine(scratch, "converted.pdf");
            var conversion = await Converters.Office.ConvertAsync(input, type, fileName, current, pdf.Password, cancellationToken).ConfigureAwait(false);
            convertedFrom = conversion.From;
            actions.Add(conversion.Action);
            if (type.NameMismatch is { } mismatch)
            {
                warnings.Add(mismatch);
            }
            pdf = pdf with { Password = null }; // the PDF LibreOffice wrote has none
        }
        else if (type.Kind != DocumentKind.Pdf)
        {
            throw Refusals.For(type);
        }

        var outline = await workers.RunAsync(new PdfOutlineJob(current, pdf.Password, options), cancellationToken).ConfigureAwait(false);
        var signed = outline.SignedSignatureFields > 0;
        if ((request.Ocr || request.Archive) && (outline.PasswordRequired || outline.Encryption != PdfEncryption.None))
        {
            // OCR and Ghostscript work on an unencrypted copy; MuPDF opens it with the password (or refuses without one).
            var open = Path.Combine(scratch, "decrypted.pdf");
            await mutool.CleanAsync(current, open, pdf.Password, deflate: false, cancellationToken).ConfigureAwait(false);
            actions.Add("Removed the PDF's password protection from the copy that was processed.");
            current = open;
            pdf = pdf with { Password = null };
        }

        int? textLayerPages = null;
        if (request.Ocr && signed && !pdf.AllowBreakingSignatures)
        {
            warnings.Add("This PDF is digitally signed: adding a text layer would break its signatures, so no text layer was added (allow breaking signatures to add one anyway).");
        }
        else if (request.Ocr)
        {
            var searchable = Path.Combine(scratch, "searchable.pdf");
            var ocr = await Converters.Ocr.AddTextLayerAsync(current, searchable, scratch, cancellationToken).ConfigureAwait(false);
            actions.Add(ocr.Describe(Converters.Ocr.Languages));
            textLayerPages = ocr.PagesRecognized;
            current = searchable;
        }

        var compress = pdf.MaxBytes is not null || pdf.SplitTo is not null || pdf.TargetDpi is not null || pdf.Gray || !(request.Ocr || request.Archive);
        PdfCompression result;
        if (compress)
        {
            result = await workers.RunAsync(new CompressPdfJob(current, pdf, scratch, options, mutool.Options), cancellationToken).ConfigureAwait(false);
        }
        else
        {
            var kept = Path.Combine(scratch, "result.pdf");
            File.Copy(current, kept, overwrite: true);
            var pages = outline.Pages > 0 ? outline.Pages : await mutool.CountPagesAsync(kept, null, cancellationToken).ConfigureAwait(false) ?? 1;
            result = new PdfCompression([new PdfPart(kept, new FileInfo(kept).Length, 1, pages)], pages, new ProcessingReport(before, new FileInfo(kept).Length, [], []));
        }

        var parts = result.Parts;
        if (request.Archive)
        {
            var archived = new List<PdfPart>();
            foreach (var part in parts)
            {
                var path = Path.Combine(scratch, $"pdfa-{part.FirstPage}.pdf");
                await Converters.Archive.WriteAsync(part.Path, path, scratch, cancellationToken).ConfigureAwait(false);
                archived.Add(part with { Path = path, Bytes = new FileInfo(path).Length });
            }
            parts = archived;
            actions.Add("Made a PDF/A-2b archival copy with Ghostscript (fonts embedded, sRGB output intent) and checked it against the PDF/A-2b rules.");
            if (signed)
            {
                warnings.Add(ProcessingReport.SignedOriginalWarning);
            }
        }
        return result with
        {
            Parts = parts,
            Report = result.Report with
            {
                BytesBefore = before,
                BytesAfter = parts[0].Bytes,
                Actions = [.. actions, .. result.Report.Actions.Select(a => convertedFrom is not null && a.StartsWith("Kept the original file", StringComparison.Ordinal)
                    ? "Kept the PDF as LibreOffice wrote it" + a["Kept the original file".Length..] : a)],
                Warnings = [.. warnings, .. result.Report.Warnings],
                ConvertedFrom = convertedFrom,
                TextLayerPages = textLayerPages,
                Archival = request.Archive ? "PDF/A-2b" : null,
            },
            Unchanged = result.Unchanged && convertedFrom is null && textLayerPages is null or 0 && !request.Archive,
        };
    }
}
