using System.Security.Cryptography;
using DocEngine.Core.Signatures.Syntax;

namespace DocEngine.Core.Signatures;

/// <summary>
/// The ByteRange rules (ISO 32000-2 §12.8.1; ETSI EN 319 142-1 §5.4.2 and the 2019 wrapping attacks): exactly two
/// ranges, the first from 0, in order, inside the file, and the gap between them exactly the /Contents hex string.
/// Coverage is the whole file or exactly one revision (ending at its <c>%%EOF</c>); anything else is non-standard.
/// </summary>
internal static class ByteRangeCheck
{
    /// <summary>The ranges as numbers, or a sentence saying why they are unusable.</summary>
    public static (long[]? Ranges, string? Problem) Read(PdfObject? value, long fileLength)
    {
        if (value is not PdfArray array)
        {
            return (null, "The signature has no /ByteRange, so what it covers is unknown.");
        }
        var numbers = array.Items.Select(i => (i as PdfNumber)?.AsLong).ToList();
        if (numbers.Count != 4 || numbers.Any(n => n is null || n < 0))
        {
            return (null, $"The signature's /ByteRange must be four non-negative whole numbers (two ranges); it has {array.Items.Count} entries.");
        }
        var r = numbers.Select(n => n!.Value).ToArray();
        if (r[0] != 0)
        {
            return (r, "The signature's first byte range does not start at the beginning of the file.");
        }
        if (r[1] <= 0 || r[2] <= r[1] || r[3] < 0 || r[2] + r[3] > fileLength)
        {
            return (r, "The signature's byte ranges overlap, are out of order, or reach past the end of the file.");
        }
        return (r, null);
    }

    /// <summary>Whether the gap between the ranges is exactly <paramref name="contents"/>, the hex string as written in the file.</summary>
    public static string? GapProblem(long[] ranges, PdfString? contents)
    {
        if (contents is null)
        {
            return "The signature dictionary has no /Contents.";
        }
        if (contents.Start < 0)
        {
            return "The signature dictionary is stored inside a compressed object stream, so its /Contents cannot be the gap in the signed bytes.";
        }
        if (!contents.IsHex)
        {
            return "The signature's /Contents is a literal string; it must be a hex string.";
        }
        return contents.Start == ranges[1] && contents.End == ranges[2]
            ? null
            : "The gap between the signed byte ranges is not exactly the signature's /Contents: other bytes are left unsigned (signature wrapping).";
    }

    /// <summary>The revision whose end is exactly where the signed bytes end, or null.</summary>
    public static int? SignedRevision(PdfFile file, long signedEnd)
    {
        for (var i = 0; i < file.Revisions.Count; i++)
        {
            if (file.Revisions[i].End == signedEnd || file.EofEnds.Any(e => e.Marker == signedEnd && file.Revisions[i].End == e.WithEol))
            {
                return i;
            }
        }
        return null;
    }
}

/// <summary>The two signed ranges of the file, hashed without copying.</summary>
internal sealed class SignedRanges(ReadOnlyMemory<byte> file, long[] ranges) : ISignedContent
{
    public byte[] Hash(HashAlgorithmName algorithm)
    {
        using var hash = Cms.Digests.Create(algorithm);
        hash.Append(file.Span.Slice((int)ranges[0], (int)ranges[1]));
        hash.Append(file.Span.Slice((int)ranges[2], (int)ranges[3]));
        return hash.Finish();
    }

    public byte[] ToArray() =>
        [.. file.Span.Slice((int)ranges[0], (int)ranges[1]), .. file.Span.Slice((int)ranges[2], (int)ranges[3])];
}
