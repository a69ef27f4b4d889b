using System.Globalization;
using System.Text;

namespace DocEngine.Tests.Infrastructure.SignedPdfs;

/// <summary>Which fields <see cref="FormPdf"/> writes and with what values.</summary>
public sealed record FormPdfOptions
{
    /// <summary>Whether to write the "ApplicantName" text field.</summary>
    public bool ApplicantName { get; init; } = true;

    /// <summary>The /V of "ApplicantName" (none when null); its appearance shows it.</summary>
    public string? ApplicantNameValue { get; init; }

    /// <summary>Whether to write the "FullNameSignature" text field (a typed name in a signature-like field).</summary>
    public bool FullNameSignature { get; init; } = true;

    /// <summary>The /V of "FullNameSignature" (none when null).</summary>
    public string? FullNameSignatureValue { get; init; }

    /// <summary>Whether to write the empty signature field "Signature1".</summary>
    public bool Signature1 { get; init; } = true;

    /// <summary>Whether to write the empty signature field "Signature2".</summary>
    public bool Signature2 { get; init; } = true;
}

/// <summary>A small one-page AcroForm PDF written by hand (classic xref) with two text fields and two empty signature fields.</summary>
public sealed class FormPdf
{
    /// <summary>The heading drawn by the page content stream (a good place to flip a byte).</summary>
    public const string PageText = "DocEngine signed form fixture";

    private FormPdf(byte[] bytes, Dictionary<string, int> fields, Dictionary<string, int> appearances)
    {
        Bytes = bytes;
        Fields = fields;
        Appearances = appearances;
    }

    /// <summary>The whole file.</summary>
    public byte[] Bytes { get; }

    /// <summary>The catalog's object number.</summary>
    public int Catalog => 1;

    /// <summary>The Pages node's object number.</summary>
    public int Pages => 2;

    /// <summary>The page's object number.</summary>
    public int Page => 3;

    /// <summary>The page content stream's object number.</summary>
    public int Content => 4;

    /// <summary>The Helvetica font's object number.</summary>
    public int Font => 5;

    /// <summary>The (indirect) AcroForm dictionary's object number.</summary>
    public int AcroForm => 6;

    /// <summary>Field (merged field and widget) object numbers by field name, for the fields written.</summary>
    public IReadOnlyDictionary<string, int> Fields { get; }

    /// <summary>Normal appearance stream object numbers by text field name.</summary>
    public IReadOnlyDictionary<string, int> Appearances { get; }

    /// <summary>"ApplicantName"'s object number, if written.</summary>
    public int? ApplicantName => Fields.TryGetValue("ApplicantName", out var n) ? n : null;

    /// <summary>"FullNameSignature"'s object number, if written.</summary>
    public int? FullNameSignature => Fields.TryGetValue("FullNameSignature", out var n) ? n : null;

    /// <summary>"Signature1"'s object number, if written.</summary>
    public int? Signature1 => Fields.TryGetValue("Signature1", out var n) ? n : null;

    /// <summary>"Signature2"'s object number, if written.</summary>
    public int? Signature2 => Fields.TryGetValue("Signature2", out var n) ? n : null;

    /// <summary>Writes the form.</summary>
    public static FormPdf Create(FormPdfOptions? options = null)
    {
        options ??= new FormPdfOptions();
        var objects = new SortedDictionary<int, byte[]>();
        var fields = new Dictionary<string, int>(StringComparer.Ordinal);
        var appearances = new Dictionary<string, int>(StringComparer.Ordinal);
        var next = 7;
        void TextField(string name, string? value, string rect, double width)
        {
            var field = next++;
            var appearance = next++;
            var v = value is null ? "" : $" /V {Literal(value)}";
            objects[field] = Latin1($"<< /Type /Annot /Subtype /Widget /FT /Tx /T ({name}) /Rect [{rect}] /P 3 0 R /F 4 /DA (/Helv 12 Tf 0 g){v} /AP << /N {appearance} 0 R >> >>");
            objects[appearance] = TextAppearance(value, width);
            fields[name] = field;
            appearances[name] = appearance;
        }
        void SignatureField(string name, string rect)
        {
            var field = next++;
            objects[field] = Latin1($"<< /Type /Annot /Subtype /Widget /FT /Sig /T ({name}) /Rect [{rect}] /P 3 0 R /F 4 >>");
            fields[name] = field;
        }
        if (options.ApplicantName)
        {
            TextField("ApplicantName", options.ApplicantNameValue, "180 732 480 752", 300);
        }
        if (options.FullNameSignature)
        {
            TextField("FullNameSignature", options.FullNameSignatureValue, "250 672 480 692", 230);
        }
        if (options.Signature1)
        {
            SignatureField("Signature1", "150 580 400 640");
        }
        if (options.Signature2)
        {
            SignatureField("Signature2", "150 500 400 560");
        }
        var refs = string.Join(" ", fields.Values.Select(n => $"{n} 0 R"));
        objects[1] = Latin1("<< /Type /Catalog /Pages 2 0 R /AcroForm 6 0 R >>");
        objects[2] = Latin1("<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
        objects[3] = Latin1($"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R /Annots [{refs}] >>");
        objects[4] = IncrementalUpdate.StreamBody("", Latin1(PageContent()));
        objects[5] = Latin1("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>");
        objects[6] = Latin1($"<< /Fields [{refs}] /DR << /Font << /Helv 5 0 R >> >> /DA (/Helv 0 Tf 0 g) >>");
        return new FormPdf(Write(objects), fields, appearances);
    }

    /// <summary>A PDF literal string with <c>\</c>, <c>(</c> and <c>)</c> escaped.</summary>
    public static string Literal(string value) =>
        "(" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("(", "\\(", StringComparison.Ordinal).Replace(")", "\\)", StringComparison.Ordinal) + ")";

    /// <summary>A text field's normal appearance stream body (Form XObject) showing <paramref name="value"/>.</summary>
    public static byte[] TextAppearance(string? value, double width, int fontObject = 5)
    {
        var text = value is null ? "" : $"q BT /Helv 12 Tf 0 g 2 5 Td {Literal(value)} Tj ET Q\n";
        var w = width.ToString(CultureInfo.InvariantCulture);
        return IncrementalUpdate.StreamBody($"/Type /XObject /Subtype /Form /BBox [0 0 {w} 20] /Resources << /Font << /Helv {fontObject} 0 R >> >>", Latin1($"/Tx BMC\n{text}EMC"));
    }

    /// <summary>Writes a complete file: header with a binary comment, objects, one classic xref section, trailer.</summary>
    internal static byte[] Write(SortedDictionary<int, byte[]> objects)
    {
        var output = new MemoryStream();
        output.Write(Latin1("%PDF-1.7\n%\u00e2\u00e3\u00cf\u00d3\n"));
        var entries = new SortedDictionary<int, string> { [0] = IncrementalUpdate.Entry(0, 65535, 'f') };
        foreach (var (number, body) in objects)
        {
            entries[number] = IncrementalUpdate.Entry(output.Position, 0, 'n');
            output.Write(Latin1($"{number} 0 obj\n"));
            output.Write(body);
            output.Write(Latin1("\nendobj\n"));
        }
        var xref = output.Position;
        var id = Convert.ToHexString(Guid.NewGuid().ToByteArray());
        output.Write(Latin1($"xref\n{IncrementalUpdate.XrefSections(entries)}trailer\n<< /Size {objects.Keys.Max() + 1} /Root 1 0 R /ID [<{id}> <{id}>] >>\nstartxref\n{xref}\n%%EOF\n"));
        return output.ToArray();
    }

    private static string PageContent() =>
        $"BT /F1 18 Tf 72 780 Td ({PageText}) Tj ET\n" +
        "BT /F1 11 Tf 72 740 Td (Applicant name:) Tj ET\n" +
        "BT /F1 11 Tf 72 680 Td (Full name \\(typed signature\\):) Tj ET\n" +
        "BT /F1 11 Tf 72 620 Td (Signature 1:) Tj ET\n" +
        "BT /F1 11 Tf 72 540 Td (Signature 2:) Tj ET";

    private static byte[] Latin1(string text) => Encoding.Latin1.GetBytes(text);
}
