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

    /// <summary>Whether "FullNameSignature" shows "ApplicantName"'s appearance stream too (one stream, two widgets).</summary>
    public bool SharedAppearance { get; init; }

    /// <summary>Whether the document is tagged: /MarkInfo, a structure tree (Document, P holding the heading's MCID 0), a parent tree.</summary>
    public bool Tagged { get; init; }

    /// <summary>Whether the catalog has an XMP /Metadata stream.</summary>
    public bool Metadata { get; init; }

    /// <summary>Whether the page has an opaque white Square annotation over a line of text it hides ("Overlay"; the hidden text is <see cref="FormPdf.HiddenText"/>).</summary>
    public bool Overlay { get; init; }

    /// <summary>Whether the page has a sticky note (/Text annotation, "Comment").</summary>
    public bool Comment { get; init; }

    /// <summary>Whether the page draws a Form XObject "/Logo" (a white box over a line of text) from its resources ("Logo").</summary>
    public bool Logo { get; init; }

    /// <summary>Whether the page's /Resources is an indirect object ("Resources").</summary>
    public bool IndirectResources { get; init; }

    /// <summary>Whether "Signature1" has a normal appearance stream before it is signed ("SignatureAppearance").</summary>
    public bool SignatureAppearance { get; init; }

    /// <summary>
    /// Whether to hide alternative bodies in the file that no cross-reference lists, as a shadow attacker prepares a
    /// document before it is signed (<see cref="FormPdf.ShadowOffsets"/>): "content" (object 4 again), "catalog" (object 1
    /// again, over a shadow page tree), "catalog-elsewhere" (a second catalog under another number), "appearance"
    /// (ApplicantName's appearance again), and with <see cref="Logo"/> "logo" (the XObject again, empty).
    /// </summary>
    public bool Shadows { get; init; }
}

/// <summary>A small one-page AcroForm PDF written by hand (classic xref) with two text fields and two empty signature fields.</summary>
public sealed class FormPdf
{
    /// <summary>The heading drawn by the page content stream (a good place to flip a byte).</summary>
    public const string PageText = "DocEngine signed form fixture";

    private FormPdf(byte[] bytes, Dictionary<string, int> fields, Dictionary<string, int> appearances, Dictionary<string, int> extras, Dictionary<string, (int, long)> shadows)
    {
        Bytes = bytes;
        Fields = fields;
        Appearances = appearances;
        Extras = extras;
        ShadowOffsets = shadows;
    }

    /// <summary>The text the page draws and the Overlay annotation (or the Logo XObject) hides.</summary>
    public const string HiddenText = "Pay the bearer 1,000,000 EUR";

    /// <summary>Object numbers of the optional parts, by name: "Overlay", "Comment", "Logo", "Resources", "Metadata", "SignatureAppearance", "StructTreeRoot", "Document", "Heading", "ParentTree".</summary>
    public IReadOnlyDictionary<string, int> Extras { get; }

    /// <summary>The hidden alternative bodies (see <see cref="FormPdfOptions.Shadows"/>): the number each claims and its offset.</summary>
    public IReadOnlyDictionary<string, (int Number, long Offset)> ShadowOffsets { get; }

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
        var extras = new Dictionary<string, int>(StringComparer.Ordinal);
        void SignatureField(string name, string rect)
        {
            var field = next++;
            var ap = "";
            if (name == "Signature1" && options.SignatureAppearance)
            {
                var appearance = next++;
                objects[appearance] = IncrementalUpdate.StreamBody("/Type /XObject /Subtype /Form /BBox [0 0 250 60] /Resources << /Font << /Helv 5 0 R >> >>",
                    Latin1("0 0 1 RG 1 1 248 58 re S BT /Helv 10 Tf 5 25 Td (Sign here) Tj ET"));
                extras["SignatureAppearance"] = appearance;
                ap = $" /AP << /N {appearance} 0 R >>";
            }
            objects[field] = Latin1($"<< /Type /Annot /Subtype /Widget /FT /Sig /T ({name}) /Rect [{rect}] /P 3 0 R /F 4{ap} >>");
            fields[name] = field;
        }
        if (options.ApplicantName)
        {
            TextField("ApplicantName", options.ApplicantNameValue, "180 732 480 752", 300);
        }
        if (options.FullNameSignature)
        {
            TextField("FullNameSignature", options.FullNameSignatureValue, "250 672 480 692", 230);
            if (options.SharedAppearance && appearances.TryGetValue("ApplicantName", out var shared))
            {
                var own = fields["FullNameSignature"];
                objects[own] = Latin1(Encoding.Latin1.GetString(objects[own]).Replace($"/N {appearances["FullNameSignature"]} 0 R", $"/N {shared} 0 R", StringComparison.Ordinal));
            }
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
        var annots = refs;
        var catalog = new StringBuilder("<< /Type /Catalog /Pages 2 0 R /AcroForm 6 0 R");
        var page = new StringBuilder("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842]");
        var xobjects = "";
        if (options.Logo)
        {
            extras["Logo"] = next;
            objects[next] = IncrementalUpdate.StreamBody("/Type /XObject /Subtype /Form /BBox [0 0 300 30]", Latin1("1 g 0 0 300 30 re f"));
            xobjects = $" /XObject << /Logo {next++} 0 R >>";
        }
        var resources = $"<< /Font << /F1 5 0 R >>{xobjects} >>";
        if (options.IndirectResources)
        {
            extras["Resources"] = next;
            objects[next] = Latin1(resources);
            resources = $"{next++} 0 R";
        }
        page.Append(" /Resources ").Append(resources).Append(" /Contents 4 0 R");
        if (options.Overlay)
        {
            extras["Overlay"] = next;
            objects[next] = Latin1($"<< /Type /Annot /Subtype /Square /Rect [60 390 420 425] /P 3 0 R /F 4 /C [1 1 1] /IC [1 1 1] /AP << /N {next + 1} 0 R >> >>");
            objects[next + 1] = IncrementalUpdate.StreamBody("/Type /XObject /Subtype /Form /BBox [0 0 360 35]", Latin1("1 g 0 0 360 35 re f"));
            annots += $" {next} 0 R";
            next += 2;
        }
        if (options.Comment)
        {
            extras["Comment"] = next;
            objects[next] = Latin1("<< /Type /Annot /Subtype /Text /Rect [500 780 520 800] /P 3 0 R /F 4 /Contents (Checked by the clerk) /Name /Comment >>");
            annots += $" {next++} 0 R";
        }
        page.Append(" /Annots [").Append(annots).Append(']');
        if (options.Metadata)
        {
            extras["Metadata"] = next;
            objects[next] = IncrementalUpdate.StreamBody("/Type /Metadata /Subtype /XML", Latin1(Xmp("DocEngine form fixture")));
            catalog.Append($" /Metadata {next++} 0 R");
        }
        if (options.Tagged)
        {
            var (root, document, heading, parentTree) = (next, next + 1, next + 2, next + 3);
            next += 4;
            extras["StructTreeRoot"] = root;
            extras["Document"] = document;
            extras["Heading"] = heading;
            extras["ParentTree"] = parentTree;
            objects[root] = Latin1($"<< /Type /StructTreeRoot /K [{document} 0 R] /ParentTree {parentTree} 0 R /ParentTreeNextKey 1 >>");
            objects[document] = Latin1($"<< /Type /StructElem /S /Document /P {root} 0 R /K [{heading} 0 R] >>");
            objects[heading] = Latin1($"<< /Type /StructElem /S /H1 /P {document} 0 R /Pg 3 0 R /K 0 >>");
            objects[parentTree] = Latin1($"<< /Nums [0 [{heading} 0 R]] >>");
            catalog.Append($" /MarkInfo << /Marked true >> /StructTreeRoot {root} 0 R");
            page.Append(" /StructParents 0");
        }
        objects[1] = Latin1(catalog.Append(" >>").ToString());
        objects[2] = Latin1("<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
        objects[3] = Latin1(page.Append(" >>").ToString());
        objects[4] = IncrementalUpdate.StreamBody("", Latin1(PageContent(options)));
        objects[5] = Latin1("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>");
        objects[6] = Latin1($"<< /Fields [{refs}] /DR << /Font << /Helv 5 0 R >> >> /DA (/Helv 0 Tf 0 g) >>");
        var shadows = new List<(string Name, int Number, byte[] Body)>();
        if (options.Shadows)
        {
            var (pages, shadowPage, shadowContent, elsewhere) = (900, 901, 902, 903); // numbers no update of the tests reaches
            shadows.Add(("content", 4, IncrementalUpdate.StreamBody("", Latin1("BT /F1 18 Tf 72 780 Td (Shadow content hidden in the signed file) Tj ET"))));
            shadows.Add(("catalog", 1, Latin1($"<< /Type /Catalog /Pages {pages} 0 R /AcroForm 6 0 R >>")));
            shadows.Add(("pages", pages, Latin1($"<< /Type /Pages /Kids [{shadowPage} 0 R] /Count 1 >>")));
            shadows.Add(("page", shadowPage, Latin1($"<< /Type /Page /Parent {pages} 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents {shadowContent} 0 R /Annots [{refs}] >>")));
            shadows.Add(("page-content", shadowContent, IncrementalUpdate.StreamBody("", Latin1("BT /F1 18 Tf 72 780 Td (A shadow page the signer never saw) Tj ET"))));
            shadows.Add(("catalog-elsewhere", elsewhere, Latin1($"<< /Type /Catalog /Pages {pages} 0 R /AcroForm 6 0 R >>")));
            if (appearances.TryGetValue("ApplicantName", out var applicant))
            {
                shadows.Add(("appearance", applicant, TextAppearance("Shadow appearance", 300)));
            }
            if (extras.TryGetValue("Logo", out var logo))
            {
                shadows.Add(("logo", logo, IncrementalUpdate.StreamBody("/Type /XObject /Subtype /Form /BBox [0 0 300 30]", [])));
            }
            if (extras.TryGetValue("SignatureAppearance", out var signatureAppearance))
            {
                shadows.Add(("signature-appearance", signatureAppearance, IncrementalUpdate.StreamBody("/Type /XObject /Subtype /Form /BBox [0 0 250 60] /Resources << /Font << /Helv 5 0 R >> >>",
                    Latin1("BT /Helv 10 Tf 5 25 Td (Approved by the director) Tj ET"))));
            }
        }
        var (bytes, offsets) = Write(objects, shadows.Select(s => (s.Number, s.Body)).ToList());
        var shadowOffsets = shadows.Select((s, i) => (s.Name, s.Number, offsets[i])).ToDictionary(s => s.Name, s => (s.Number, s.Item3), StringComparer.Ordinal);
        return new FormPdf(bytes, fields, appearances, extras, shadowOffsets);
    }

    /// <summary>An XMP packet with a title, well-formed.</summary>
    public static string Xmp(string title) =>
        "<?xpacket begin=\"\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?><x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">" +
        $"<rdf:Description rdf:about=\"\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">{title}</rdf:li></rdf:Alt></dc:title></rdf:Description>" +
        "</rdf:RDF></x:xmpmeta><?xpacket end=\"w\"?>";

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
    internal static byte[] Write(SortedDictionary<int, byte[]> objects) => Write(objects, []).Bytes;

    /// <summary>Writes a complete file, with <paramref name="shadows"/> first: bodies that no cross-reference lists (their offsets returned in order).</summary>
    internal static (byte[] Bytes, List<long> ShadowOffsets) Write(SortedDictionary<int, byte[]> objects, List<(int Number, byte[] Body)> shadows)
    {
        var output = new MemoryStream();
        output.Write(Latin1("%PDF-1.7\n%\u00e2\u00e3\u00cf\u00d3\n"));
        var shadowOffsets = new List<long>();
        foreach (var (number, body) in shadows)
        {
            shadowOffsets.Add(output.Position);
            output.Write(Latin1($"{number} 0 obj\n"));
            output.Write(body);
            output.Write(Latin1("\nendobj\n"));
        }
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
        return (output.ToArray(), shadowOffsets);
    }

    private static string PageContent(FormPdfOptions options)
    {
        var heading = $"BT /F1 18 Tf 72 780 Td ({PageText}) Tj ET\n";
        var text = new StringBuilder(options.Tagged ? $"/H1 << /MCID 0 >> BDC {heading}EMC\n" : heading);
        text.Append("BT /F1 11 Tf 72 740 Td (Applicant name:) Tj ET\n")
            .Append("BT /F1 11 Tf 72 680 Td (Full name \\(typed signature\\):) Tj ET\n")
            .Append("BT /F1 11 Tf 72 620 Td (Signature 1:) Tj ET\n")
            .Append("BT /F1 11 Tf 72 540 Td (Signature 2:) Tj ET");
        if (options.Overlay)
        {
            text.Append($"\nBT /F1 14 Tf 72 400 Td ({HiddenText}) Tj ET");
        }
        if (options.Logo)
        {
            text.Append("\nBT /F1 14 Tf 72 445 Td (Hidden under the logo) Tj ET\nq 1 0 0 1 60 440 cm /Logo Do Q");
        }
        return text.ToString();
    }

    private static byte[] Latin1(string text) => Encoding.Latin1.GetBytes(text);
}
