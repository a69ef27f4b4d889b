using System.Text;
using System.Text.RegularExpressions;

namespace DocEngine.Tests.Infrastructure.SignedPdfs;

/// <summary>Changes made to a signed PDF after signing: byte flips and incremental updates on top of the newest revision.</summary>
public static partial class Tamper
{
    /// <summary>A copy of <paramref name="pdf"/> with the byte at <paramref name="offset"/> XOR 0x01 (e.g. 'D' becomes 'E').</summary>
    public static byte[] FlipByte(byte[] pdf, long offset)
    {
        var copy = (byte[])pdf.Clone();
        copy[offset] ^= 0x01;
        return copy;
    }

    /// <summary>A copy with one byte flipped inside the first occurrence of <paramref name="text"/> (default: the page heading in the first signed range).</summary>
    public static byte[] FlipByteInText(byte[] pdf, string text = FormPdf.PageText)
    {
        var at = Encoding.Latin1.GetString(pdf).IndexOf(text, StringComparison.Ordinal);
        return at < 0 ? throw new ArgumentException($"'{text}' is not in the file.", nameof(text)) : FlipByte(pdf, at + 1);
    }

    /// <summary>An update adding a page (object and content stream) and a new Pages node with /Kids extended and /Count + 1.</summary>
    public static byte[] AppendPage(byte[] pdf, string text = "Page added after signing")
    {
        var pages = PdfObjectReader.PagesObject(pdf);
        var pagesBody = PdfObjectReader.ReadObject(pdf, pages);
        var page = IncrementalUpdate.NextObjectNumber(pdf);
        var font = FontOf(pdf, PdfObjectReader.FirstPage(pdf));
        var kids = PdfObjectReader.References(pagesBody, "Kids").Select(k => $"{k} 0 R").Append($"{page} 0 R");
        var count = int.Parse(CountRegex().Match(pagesBody).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) + 1;
        var newPages = PdfSigner.SetEntry(PdfSigner.SetEntry(pagesBody, "Kids", $"[{string.Join(" ", kids)}]"), "Count", count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return IncrementalUpdate.Append(pdf,
            PdfObjectWrite.Of(page, $"<< /Type /Page /Parent {pages} 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 {font} >> >> /Contents {page + 1} 0 R >>"),
            PdfObjectWrite.Stream(page + 1, "", $"BT /F1 18 Tf 72 780 Td {FormPdf.Literal(text)} Tj ET"),
            PdfObjectWrite.Of(pages, newPages));
    }

    /// <summary>An update adding a sticky note (/Text) or /FreeText annotation to the first page, keeping its existing /Annots.</summary>
    public static byte[] AddAnnotation(byte[] pdf, bool freeText = false, string text = "Added after signing")
    {
        var page = PdfObjectReader.FirstPage(pdf);
        var pageBody = PdfObjectReader.ReadObject(pdf, page);
        var annotation = IncrementalUpdate.NextObjectNumber(pdf);
        var body = freeText
            ? $"<< /Type /Annot /Subtype /FreeText /Rect [300 300 500 340] /P {page} 0 R /F 4 /Contents {FormPdf.Literal(text)} /DA (/Helv 12 Tf 0 g) >>"
            : $"<< /Type /Annot /Subtype /Text /Rect [300 300 320 320] /P {page} 0 R /F 4 /Contents {FormPdf.Literal(text)} /Name /Comment >>";
        var annots = PdfObjectReader.References(pageBody, "Annots").Select(a => $"{a} 0 R").Append($"{annotation} 0 R");
        return IncrementalUpdate.Append(pdf, PdfObjectWrite.Of(annotation, body), PdfObjectWrite.Of(page, PdfSigner.SetEntry(pageBody, "Annots", $"[{string.Join(" ", annots)}]")));
    }

    /// <summary>An update adding a new signature field (merged widget) to the form and the first page, unsigned.</summary>
    public static byte[] AddSignatureField(byte[] pdf, string name, string rect, string? appearance = null) =>
        AddField(pdf, name, rect, "/FT /Sig", appearance);

    /// <summary>An update adding a new text field (merged widget) to the form and the first page.</summary>
    public static byte[] AddTextField(byte[] pdf, string name, string rect) => AddField(pdf, name, rect, "/FT /Tx /V (100000 EUR)", null);

    private static byte[] AddField(byte[] pdf, string name, string rect, string type, string? appearance)
    {
        var page = PdfObjectReader.FirstPage(pdf);
        var pageBody = PdfObjectReader.ReadObject(pdf, page);
        var catalog = PdfObjectReader.ReadObject(pdf, PdfObjectReader.RootObject(pdf));
        var formNumber = PdfObjectReader.Reference(catalog, "AcroForm") ?? throw new FormatException("The form is not an indirect object.");
        var form = PdfObjectReader.ReadObject(pdf, formNumber);
        var field = IncrementalUpdate.NextObjectNumber(pdf);
        var writes = new List<PdfObjectWrite>();
        var ap = "";
        if (appearance is not null)
        {
            writes.Add(PdfObjectWrite.Stream(field + 1, "/Type /XObject /Subtype /Form /BBox [0 0 200 60]", appearance));
            ap = $" /AP << /N {field + 1} 0 R >>";
        }
        writes.Add(PdfObjectWrite.Of(field, $"<< /Type /Annot /Subtype /Widget {type} /T {FormPdf.Literal(name)} /Rect [{rect}] /P {page} 0 R /F 4{ap} >>"));
        var fields = PdfObjectReader.References(form, "Fields").Select(f => $"{f} 0 R").Append($"{field} 0 R");
        var annots = PdfObjectReader.References(pageBody, "Annots").Select(a => $"{a} 0 R").Append($"{field} 0 R");
        writes.Add(PdfObjectWrite.Of(formNumber, PdfSigner.SetEntry(form, "Fields", $"[{string.Join(" ", fields)}]")));
        writes.Add(PdfObjectWrite.Of(page, PdfSigner.SetEntry(pageBody, "Annots", $"[{string.Join(" ", annots)}]")));
        return IncrementalUpdate.Append(pdf, writes);
    }

    /// <summary>An update taking annotation <paramref name="annotation"/> off the first page.</summary>
    public static byte[] RemoveAnnotation(byte[] pdf, int annotation)
    {
        var page = PdfObjectReader.FirstPage(pdf);
        var pageBody = PdfObjectReader.ReadObject(pdf, page);
        var annots = PdfObjectReader.References(pageBody, "Annots").Where(a => a != annotation).Select(a => $"{a} 0 R");
        return IncrementalUpdate.Append(pdf, PdfObjectWrite.Of(page, PdfSigner.SetEntry(pageBody, "Annots", $"[{string.Join(" ", annots)}]")));
    }

    /// <summary>An update listing the first page's annotations in reverse order (the last drawn first).</summary>
    public static byte[] ReverseAnnotations(byte[] pdf)
    {
        var page = PdfObjectReader.FirstPage(pdf);
        var pageBody = PdfObjectReader.ReadObject(pdf, page);
        var annots = PdfObjectReader.References(pageBody, "Annots").Reverse().Select(a => $"{a} 0 R");
        return IncrementalUpdate.Append(pdf, PdfObjectWrite.Of(page, PdfSigner.SetEntry(pageBody, "Annots", $"[{string.Join(" ", annots)}]")));
    }

    /// <summary>An update giving a text field a new /V and a NEW appearance stream object (the old one is left alone).</summary>
    public static byte[] FillTextField(byte[] pdf, string fieldName = "ApplicantName", string value = "Jane Doe")
    {
        var field = PdfObjectReader.Field(pdf, fieldName);
        var fieldBody = PdfObjectReader.ReadObject(pdf, field);
        var appearance = IncrementalUpdate.NextObjectNumber(pdf);
        var newField = PdfSigner.SetEntry(PdfSigner.SetEntry(fieldBody, "V", FormPdf.Literal(value)), "AP", $"<< /N {appearance} 0 R >>");
        return IncrementalUpdate.Append(pdf,
            new PdfObjectWrite(appearance, 0, FormPdf.TextAppearance(value, Width(fieldBody), FontObject(pdf))),
            PdfObjectWrite.Of(field, newField));
    }

    /// <summary>An update rewriting the first page's content stream object (same number) with other text: a shadow attack.</summary>
    public static byte[] ReplaceContentStream(byte[] pdf, string text = "Shadow content written after signing")
    {
        var page = PdfObjectReader.FirstPage(pdf);
        var content = PdfObjectReader.Reference(PdfObjectReader.ReadObject(pdf, page), "Contents") ?? throw new FormatException("The page has no single /Contents reference.");
        return IncrementalUpdate.Append(pdf, PdfObjectWrite.Stream(content, "", $"BT /F1 18 Tf 72 780 Td {FormPdf.Literal(text)} Tj ET"));
    }

    /// <summary>An update rewriting a field's EXISTING normal appearance stream object in place with other text (a "sneaky" update).</summary>
    public static byte[] OverwriteSharedAppearance(byte[] pdf, string fieldName = "ApplicantName", string text = "Sneaky")
    {
        var fieldBody = PdfObjectReader.ReadObject(pdf, PdfObjectReader.Field(pdf, fieldName));
        var appearance = NormalAppearance(fieldBody) ?? throw new FormatException($"{fieldName} has no /AP /N reference.");
        return IncrementalUpdate.Append(pdf, new PdfObjectWrite(appearance, 0, FormPdf.TextAppearance(text, Width(fieldBody), FontObject(pdf))));
    }

    /// <summary>An update rewriting a signature dictionary with the same /ByteRange and /Contents but another /Reason (default: the newest signature).</summary>
    public static byte[] EditReason(byte[] pdf, string reason = "Edited after signing", string? fieldName = null)
    {
        var signature = fieldName is null
            ? SignatureObjects(pdf).Max()
            : PdfObjectReader.Reference(PdfObjectReader.ReadObject(pdf, PdfObjectReader.Field(pdf, fieldName)), "V") ?? throw new ArgumentException($"{fieldName} is not signed.", nameof(fieldName));
        var body = PdfObjectReader.ReadObject(pdf, signature);
        return IncrementalUpdate.Append(pdf, PdfObjectWrite.Of(signature, PdfSigner.SetEntry(body, "Reason", FormPdf.Literal(reason))));
    }

    /// <summary>A benign update writing an identical copy of an existing object (default: the catalog).</summary>
    public static byte[] ResaveUnchanged(byte[] pdf, int? objectNumber = null)
    {
        var number = objectNumber ?? PdfObjectReader.RootObject(pdf);
        var offset = PdfObjectReader.ObjectOffset(pdf, number) ?? throw new KeyNotFoundException($"Object {number} is not in use.");
        var text = Encoding.Latin1.GetString(pdf);
        var start = text.IndexOf("obj", (int)offset, StringComparison.Ordinal) + 3;
        var end = text.IndexOf("endobj", start, StringComparison.Ordinal);
        var body = pdf.AsSpan(start, end - start).ToArray();
        return IncrementalUpdate.Append(pdf, new PdfObjectWrite(number, 0, body.AsSpan().Trim("\r\n "u8).ToArray()));
    }

    /// <summary>The signature dictionaries the signature fields' /V point to, in the newest revision.</summary>
    public static IReadOnlyList<int> SignatureObjects(byte[] pdf) =>
        [.. PdfObjectReader.Fields(pdf).Values
            .Select(f => PdfObjectReader.ReadObject(pdf, f))
            .Where(b => b.Contains("/FT /Sig", StringComparison.Ordinal))
            .Select(b => PdfObjectReader.Reference(b, "V"))
            .OfType<int>()];

    private static int? NormalAppearance(string fieldBody)
    {
        var match = AppearanceRegex().Match(fieldBody);
        return match.Success ? int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : null;
    }

    private static double Width(string fieldBody)
    {
        var rect = RectRegex().Match(fieldBody);
        return rect.Success ? double.Parse(rect.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture) - double.Parse(rect.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 200;
    }

    private static string FontOf(byte[] pdf, int page) =>
        FontRegex().Match(PdfObjectReader.ReadObject(pdf, page)) is { Success: true } match ? match.Groups[1].Value : $"{FontObject(pdf)} 0 R";

    private static int FontObject(byte[] pdf)
    {
        var catalog = PdfObjectReader.ReadObject(pdf, PdfObjectReader.RootObject(pdf));
        var form = PdfObjectReader.Reference(catalog, "AcroForm") is { } f ? PdfObjectReader.ReadObject(pdf, f) : catalog;
        return PdfObjectReader.Reference(form, "Helv") ?? 5;
    }

    [GeneratedRegex(@"/Count\s+(\d+)")]
    private static partial Regex CountRegex();

    [GeneratedRegex(@"/AP\s*<<[^<>]*/N\s+(\d+)\s+\d+\s+R")]
    private static partial Regex AppearanceRegex();

    [GeneratedRegex(@"/Rect\s*\[\s*([\d.+-]+)\s+([\d.+-]+)\s+([\d.+-]+)\s+([\d.+-]+)\s*\]")]
    private static partial Regex RectRegex();

    [GeneratedRegex(@"/F1\s+(\d+\s+\d+\s+R)")]
    private static partial Regex FontRegex();
}
