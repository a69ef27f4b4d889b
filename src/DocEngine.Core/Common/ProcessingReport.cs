namespace DocEngine.Core.Common;

/// <summary>What a person reads to know what happened to their file.</summary>
/// <param name="BytesBefore">Total size of the inputs.</param>
/// <param name="BytesAfter">Size of the output.</param>
/// <param name="Actions">What was done, one sentence each, in order.</param>
/// <param name="Warnings">What the person should know, one sentence each.</param>
public sealed record ProcessingReport(long BytesBefore, long BytesAfter, IReadOnlyList<string> Actions, IReadOnlyList<string> Warnings)
{
    /// <summary>The warning on a PDF/A copy of a signed PDF: the copy is a derivative, the signatures apply to the original.</summary>
    public const string SignedOriginalWarning =
        "This PDF/A copy is a derivative: the digital signatures apply to the original document, which is kept unchanged; the copy carries no valid signature.";

    /// <summary>
    /// What was done to the document, one short sentence each, for the contact sheet and the receipt: "Converted from
    /// Word to PDF.", "Searchable text added to 2 pages.", "Archival PDF/A-2b copy made." (and, for a signed original,
    /// that its signatures apply to the original). Empty when the document was only compressed or kept.
    /// </summary>
    public IReadOnlyList<string> Conversions()
    {
        var done = new List<string>();
        if (ConvertedFrom is { } from)
        {
            done.Add($"Converted from {from} to PDF.");
        }
        if (TextLayerPages is > 0 and var pages)
        {
            done.Add(pages == 1 ? "Searchable text added to 1 page." : $"Searchable text added to {pages} pages.");
        }
        if (Archival is { } standard)
        {
            done.Add($"Archival {standard} copy made.");
            if (Warnings.Contains(SignedOriginalWarning))
            {
                done.Add("The digital signatures apply to the original, not to this copy.");
            }
        }
        return done;
    }

    /// <summary>PDFs: the resolution images were brought down to; null when no image was recompressed.</summary>
    public int? ImageDpi { get; init; }

    /// <summary>PDFs: the JPEG quality of recompressed images; null when no image was recompressed.</summary>
    public int? JpegQuality { get; init; }

    /// <summary>When a PDF was split: which part this is; null otherwise.</summary>
    public PartNumber? Part { get; init; }

    /// <summary>When the source was an office document converted to PDF: what it was ("Word", "Excel", "OpenDocument", "RTF"); null otherwise.</summary>
    public string? ConvertedFrom { get; init; }

    /// <summary>Pages that got a searchable text layer by OCR; null when OCR was not asked for.</summary>
    public int? TextLayerPages { get; init; }

    /// <summary>The archival standard the result conforms to ("PDF/A-2b"), checked; null otherwise.</summary>
    public string? Archival { get; init; }

    /// <summary>
    /// PDFs: the source's structure was damaged and was repaired the way a PDF viewer repairs it, so a person should check
    /// the result shows every page. Kept with a stored rendition, so a server batch that finds it made already still knows.
    /// Left out of JSON when false.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public bool Repaired { get; init; }
}

/// <summary>Part <paramref name="Number"/> of <paramref name="Count"/>, holding pages <paramref name="FirstPage"/> to <paramref name="LastPage"/> of the source.</summary>
public sealed record PartNumber(int Number, int Count, int FirstPage, int LastPage);
