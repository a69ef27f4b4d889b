namespace DocEngine.Core.Common;

/// <summary>What a person reads to know what happened to their file.</summary>
/// <param name="BytesBefore">Total size of the inputs.</param>
/// <param name="BytesAfter">Size of the output.</param>
/// <param name="Actions">What was done, one sentence each, in order.</param>
/// <param name="Warnings">What the person should know, one sentence each.</param>
public sealed record ProcessingReport(long BytesBefore, long BytesAfter, IReadOnlyList<string> Actions, IReadOnlyList<string> Warnings)
{
    /// <summary>PDFs: the resolution images were brought down to; null when no image was recompressed.</summary>
    public int? ImageDpi { get; init; }

    /// <summary>PDFs: the JPEG quality of recompressed images; null when no image was recompressed.</summary>
    public int? JpegQuality { get; init; }

    /// <summary>When a PDF was split: which part this is; null otherwise.</summary>
    public PartNumber? Part { get; init; }
}

/// <summary>Part <paramref name="Number"/> of <paramref name="Count"/>, holding pages <paramref name="FirstPage"/> to <paramref name="LastPage"/> of the source.</summary>
public sealed record PartNumber(int Number, int Count, int FirstPage, int LastPage);
