using PdfSharp.Pdf;
using PdfSharp.Pdf.Content;
using PdfSharp.Pdf.Content.Objects;

namespace DocEngine.Core.Pdf;

/// <summary>
/// Where each image XObject is drawn: walks every page's content (and the form XObjects it calls) tracking the current
/// transformation matrix through <c>q</c>, <c>Q</c> and <c>cm</c>, and records, for each image, the resolution of its
/// sharpest use on the page. An image drawn twice needs the pixels of its larger drawing.
/// </summary>
internal static class ImagePlacements
{
    private const int MaxFormDepth = 12;
    private const int MaxOperators = 2_000_000;

    /// <summary>One image and what its sharpest use needs.</summary>
    /// <param name="Image">The image's dictionary (and stream).</param>
    /// <param name="FirstPage">The first page it appears on, 1-based.</param>
    /// <param name="Dpi">Its effective resolution where it is drawn largest: pixels per inch along its less dense axis.</param>
    public sealed record Placement(PdfDictionary Image, int FirstPage, double Dpi);

    /// <summary>Every image drawn in the document, by object, with its effective resolution.</summary>
    public static IReadOnlyList<Placement> Find(PdfDocument document)
    {
        var found = new Dictionary<PdfDictionary, Placement>(ReferenceEqualityComparer.Instance);
        var budget = MaxOperators;
        for (var index = 0; index < document.Pages.Count; index++)
        {
            var page = document.Pages[index];
            CSequence content;
            try
            {
                content = ContentReader.ReadContent(page);
            }
            catch (ContentReaderException)
            {
                continue; // an unreadable content stream keeps its images as they are
            }
            Walk(content, page.Elements.GetDictionary("/Resources"), Matrix.Identity, index + 1, found, 0, ref budget);
        }
        return [.. found.Values];
    }

    private static void Walk(CSequence content, PdfDictionary? resources, Matrix start, int page, Dictionary<PdfDictionary, Placement> found,
        int depth, ref int budget)
    {
        var stack = new Stack<Matrix>();
        var ctm = start;
        foreach (var item in content)
        {
            if (item is not COperator op || --budget < 0)
            {
                continue;
            }
            switch (op.OpCode.Name)
            {
                case "q":
                    stack.Push(ctm);
                    break;
                case "Q":
                    ctm = stack.Count > 0 ? stack.Pop() : start;
                    break;
                case "cm" when Numbers(op.Operands) is [var a, var b, var c, var d, var e, var f]:
                    ctm = new Matrix(a, b, c, d, e, f).Times(ctm);
                    break;
                case "Do" when op.Operands is [CName name]:
                    var xObject = resources?.Elements.GetDictionary("/XObject")?.Elements.GetDictionary(name.Name);
                    if (xObject is null)
                    {
                        break;
                    }
                    switch (xObject.Elements.GetName("/Subtype"))
                    {
                        case "/Image":
                            Record(xObject, ctm, page, found);
                            break;
                        case "/Form" when depth < MaxFormDepth && xObject.Stream is not null:
                            var matrix = Numbers(xObject.Elements.GetArray("/Matrix")) is [var ma, var mb, var mc, var md, var me, var mf]
                                ? new Matrix(ma, mb, mc, md, me, mf)
                                : Matrix.Identity;
                            CSequence form;
                            try
                            {
                                form = ContentReader.ReadContent(xObject.Stream.UnfilteredValue);
                            }
                            catch (ContentReaderException)
                            {
                                break;
                            }
                            Walk(form, xObject.Elements.GetDictionary("/Resources") ?? resources, matrix.Times(ctm), page, found, depth + 1, ref budget);
                            break;
                    }
                    break;
            }
        }
    }

    private static void Record(PdfDictionary image, Matrix ctm, int page, Dictionary<PdfDictionary, Placement> found)
    {
        // The image fills the unit square; the matrix stretches it to its size on the page, in points.
        var widthInches = Math.Sqrt(ctm.A * ctm.A + ctm.B * ctm.B) / 72;
        var heightInches = Math.Sqrt(ctm.C * ctm.C + ctm.D * ctm.D) / 72;
        var (pixelsWide, pixelsHigh) = (image.Elements.GetInteger("/Width"), image.Elements.GetInteger("/Height"));
        if (widthInches <= 1e-6 || heightInches <= 1e-6 || pixelsWide <= 0 || pixelsHigh <= 0)
        {
            return;
        }
        var dpi = Math.Min(pixelsWide / widthInches, pixelsHigh / heightInches);
        if (!double.IsFinite(dpi))
        {
            return;
        }
        found[image] = found.TryGetValue(image, out var earlier)
            ? earlier with { Dpi = Math.Min(earlier.Dpi, dpi) }
            : new Placement(image, page, dpi);
    }

    private static double[] Numbers(IEnumerable<CObject>? operands) =>
        operands?.Select(o => o switch
        {
            CReal real => real.Value,
            CInteger integer => integer.Value,
            _ => double.NaN,
        }).ToArray() ?? [];

    private static double[] Numbers(PdfArray? array) =>
        array?.Elements.Select(e => e switch
        {
            PdfReal real => real.Value,
            PdfInteger integer => integer.Value,
            _ => double.NaN,
        }).ToArray() ?? [];

    /// <summary>A PDF transformation matrix [a b c d e f].</summary>
    private readonly record struct Matrix(double A, double B, double C, double D, double E, double F)
    {
        public static Matrix Identity { get; } = new(1, 0, 0, 1, 0, 0);

        /// <summary>This matrix, then <paramref name="other"/>: how <c>cm</c> concatenates onto the current matrix.</summary>
        public Matrix Times(Matrix other) => new(
            A * other.A + B * other.C, A * other.B + B * other.D,
            C * other.A + D * other.C, C * other.B + D * other.D,
            E * other.A + F * other.C + other.E, E * other.B + F * other.D + other.F);
    }
}
