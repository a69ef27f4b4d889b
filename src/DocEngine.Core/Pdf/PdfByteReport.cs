using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using PdfSharp.Pdf;
using PdfSharp.Pdf.Advanced;
using PdfSharp.Pdf.IO;

namespace DocEngine.Core.Pdf;

/// <summary>What a share of a PDF's bytes is: each object of the file is counted in exactly one kind.</summary>
public enum PdfByteKind
{
    /// <summary>Colour images (JPEG, JPEG 2000, and RGB or CMYK samples).</summary>
    PhotoImages,
    /// <summary>8-bit gray images.</summary>
    GrayImages,
    /// <summary>1-bit images: CCITT, JBIG2 (with its globals), image masks and 1-bit samples.</summary>
    BilevelImages,
    /// <summary>Embedded font programs and the font dictionaries, widths and ToUnicode maps around them.</summary>
    Fonts,
    /// <summary>Page content streams and the form XObjects they draw.</summary>
    ContentStreams,
    /// <summary>The AcroForm: fields, widgets and their appearance streams.</summary>
    FormData,
    /// <summary>The XFA form's XML packets.</summary>
    Xfa,
    /// <summary>XMP metadata streams and the document information dictionary.</summary>
    Metadata,
    /// <summary>ICC colour profiles.</summary>
    ColourProfiles,
    /// <summary>Page thumbnails and editors' private data (/PieceInfo).</summary>
    Thumbnails,
    /// <summary>The tagged structure tree (accessibility tags).</summary>
    Tags,
    /// <summary>Embedded files (attachments).</summary>
    Attachments,
    /// <summary>Objects identical to an earlier object of the file: bytes a merge would save.</summary>
    Duplicates,
    /// <summary>Objects nothing in the document refers to: bytes a rewrite drops.</summary>
    Unused,
    /// <summary>Everything else: the page tree, annotations, outlines, the cross-reference table and syntax.</summary>
    Structure,
}

/// <summary>One kind's share of a PDF.</summary>
/// <param name="Kind">What these bytes are.</param>
/// <param name="Bytes">How many bytes of the file (streams as stored, dictionaries as written).</param>
/// <param name="Objects">How many objects.</param>
public sealed record PdfByteShare(PdfByteKind Kind, long Bytes, int Objects);

/// <summary>Where a PDF's bytes go, by kind; the shares add up to the file's size.</summary>
/// <param name="SizeBytes">The file's size.</param>
/// <param name="Shares">Every kind, largest first (kinds with no bytes left out).</param>
/// <param name="ObjectCount">Indirect objects in the file.</param>
public sealed record PdfByteBreakdown(long SizeBytes, IReadOnlyList<PdfByteShare> Shares, int ObjectCount)
{
    /// <summary>The bytes of one kind (0 when it has none).</summary>
    public long this[PdfByteKind kind] => Shares.FirstOrDefault(s => s.Kind == kind)?.Bytes ?? 0;

    /// <summary>A person's name for a kind.</summary>
    public static string Describe(PdfByteKind kind) => kind switch
    {
        PdfByteKind.PhotoImages => "images: photo (colour)",
        PdfByteKind.GrayImages => "images: gray",
        PdfByteKind.BilevelImages => "images: bilevel (black and white)",
        PdfByteKind.Fonts => "fonts",
        PdfByteKind.ContentStreams => "content streams",
        PdfByteKind.FormData => "form fields and their appearances",
        PdfByteKind.Xfa => "XFA form",
        PdfByteKind.Metadata => "metadata",
        PdfByteKind.ColourProfiles => "colour profiles (ICC)",
        PdfByteKind.Thumbnails => "page thumbnails and editor data",
        PdfByteKind.Tags => "tags (structure tree for accessibility)",
        PdfByteKind.Attachments => "attached files",
        PdfByteKind.Duplicates => "duplicates of other objects",
        PdfByteKind.Unused => "unused objects",
        _ => "structure (page tree, annotations, cross-reference table)",
    };
}

/// <summary>
/// Splits a PDF's size by kind (issue 18, "find where the bytes go"): every indirect object is classified by what it is
/// or by what refers to it, objects no path from the trailer reaches are unused, and an object identical to an earlier
/// one (same dictionary, same stream bytes) is a duplicate. Streams count as stored; dictionaries as written without
/// extra spaces; what is left (cross-reference table, syntax, object streams' packing) is structure.
/// </summary>
public static class PdfByteReport
{
    private const int MaxObjects = 2_000_000;

    /// <summary>Reads <paramref name="path"/> (with <paramref name="password"/> when it has one) and splits its size.</summary>
    public static PdfByteBreakdown Analyze(string path, string? password = null)
    {
        PdfDocument document;
        try
        {
            document = string.IsNullOrEmpty(password)
                ? PdfReader.Open(path, PdfDocumentOpenMode.Import)
                : PdfReader.Open(path, password, PdfDocumentOpenMode.Import);
        }
        catch (PdfReaderException e) when (e.Message.Contains("password", StringComparison.OrdinalIgnoreCase))
        {
            throw string.IsNullOrEmpty(password) ? PdfRefusals.PasswordRequired() : PdfRefusals.WrongPassword();
        }
        catch (Exception e) when (e is not DocEngineException and not OutOfMemoryException)
        {
            throw new DocEngineException(ErrorKind.InvalidArgument, "DAMAGED_FILE",
                "This PDF's structure cannot be read object by object: open it in a PDF viewer and save or print it to a new PDF, then inspect that.")
            {
                Details = new Dictionary<string, string> { ["parser_message"] = e.Message.Split('\n')[0] },
            };
        }
        using (document)
        {
            return Analyze(document, new FileInfo(path).Length);
        }
    }

    /// <summary>Splits <paramref name="fileSize"/> bytes of an open document by kind.</summary>
    public static PdfByteBreakdown Analyze(PdfDocument document, long fileSize)
    {
        // Object and cross-reference streams are containers: the objects they hold are counted one by one instead.
        var objects = document.Internals.GetAllObjects().Take(MaxObjects)
            .Where(o => o is not PdfDictionary d || d.Elements.GetName("/Type") is not ("/ObjStm" or "/XRef")).ToList();
        var roles = new Dictionary<PdfObject, PdfByteKind>(ReferenceEqualityComparer.Instance);
        foreach (var item in objects)
        {
            if (item is PdfDictionary dictionary)
            {
                MarkReferences(dictionary, roles);
            }
        }
        Mark(document.Internals.Catalog.Elements["/AcroForm"], PdfByteKind.FormData, roles, overwrite: false);
        Mark(document.Internals.Catalog.Elements["/Metadata"], PdfByteKind.Metadata, roles, overwrite: true);
        if (document.Info.Reference is { } info)
        {
            roles[info.Value] = PdfByteKind.Metadata;
        }

        var reachable = Reachable(document);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var totals = new Dictionary<PdfByteKind, (long Bytes, int Objects)>();
        // Dictionaries packed in object streams take less than written out: when they would not fit in the file beside
        // the streams, they are scaled down together so that the shares still add up to the file.
        var streams = objects.Sum(StreamSize);
        var written = objects.Sum(o => Size(o) - StreamSize(o));
        var scale = streams + written <= fileSize || written == 0 ? 1.0 : Math.Max(0, fileSize - streams) / (double)written;
        long counted = 0;
        foreach (var item in objects)
        {
            var size = StreamSize(item) + (long)Math.Round((Size(item) - StreamSize(item)) * scale);
            var kind = !reachable.Contains(item) ? PdfByteKind.Unused
                : !seen.Add(Fingerprint(item)) ? PdfByteKind.Duplicates
                : Classify(item, roles);
            var (bytes, count) = totals.GetValueOrDefault(kind);
            totals[kind] = (bytes + size, count + 1);
            counted += size;
        }
        var rest = Math.Max(0, fileSize - counted);
        var (structureBytes, structureObjects) = totals.GetValueOrDefault(PdfByteKind.Structure);
        totals[PdfByteKind.Structure] = (structureBytes + rest, structureObjects);
        var shares = totals.Where(t => t.Value.Bytes > 0).Select(t => new PdfByteShare(t.Key, t.Value.Bytes, t.Value.Objects))
            .OrderByDescending(s => s.Bytes).ToList();
        return new PdfByteBreakdown(fileSize, shares, objects.Count);
    }

    /// <summary>What an object is by itself, else what referred to it, else structure.</summary>
    private static PdfByteKind Classify(PdfObject item, Dictionary<PdfObject, PdfByteKind> roles)
    {
        if (item is PdfDictionary dictionary)
        {
            var subtype = dictionary.Elements.GetName("/Subtype");
            var type = dictionary.Elements.GetName("/Type");
            if (subtype == "/Image")
            {
                return ImageKind(dictionary);
            }
            if (roles.TryGetValue(item, out var role))
            {
                return role;
            }
            if (type is "/Font" or "/FontDescriptor" || dictionary.Elements.ContainsKey("/FontFile") || dictionary.Elements.ContainsKey("/FontFile2"))
            {
                return PdfByteKind.Fonts;
            }
            if (type == "/Metadata")
            {
                return PdfByteKind.Metadata;
            }
            if (type is "/StructElem" or "/StructTreeRoot" or "/MCR" or "/OBJR")
            {
                return PdfByteKind.Tags;
            }
            if (type is "/EmbeddedFile" or "/Filespec")
            {
                return PdfByteKind.Attachments;
            }
            if (subtype == "/Widget" || dictionary.Elements.ContainsKey("/FT"))
            {
                return PdfByteKind.FormData;
            }
            if (subtype == "/Form")
            {
                return PdfByteKind.ContentStreams;
            }
            if (type == "/Page" && dictionary.Elements.ContainsKey("/Contents"))
            {
                return PdfByteKind.Structure;
            }
            if (dictionary.Stream is not null && dictionary.Elements.ContainsKey("/JBIG2Globals") is false
                && dictionary.Elements.GetInteger("/N") is 1 or 3 or 4 && dictionary.Elements.ContainsKey("/Alternate"))
            {
                return PdfByteKind.ColourProfiles;
            }
            return PdfByteKind.Structure;
        }
        return roles.GetValueOrDefault(item, PdfByteKind.Structure);
    }

    private static PdfByteKind ImageKind(PdfDictionary image)
    {
        var filters = image.Elements["/Filter"] switch
        {
            PdfName name => [name.Value],
            PdfArray array => array.Elements.OfType<PdfName>().Select(n => n.Value).ToList(),
            _ => new List<string>(),
        };
        if (image.Elements.GetBoolean("/ImageMask") || image.Elements.GetInteger("/BitsPerComponent") == 1
            || filters.Any(f => f is "/CCITTFaxDecode" or "/JBIG2Decode" or "/CCF"))
        {
            return PdfByteKind.BilevelImages;
        }
        var colourSpace = image.Elements["/ColorSpace"] is PdfReference reference ? reference.Value : image.Elements["/ColorSpace"];
        var components = colourSpace switch
        {
            PdfName { Value: "/DeviceGray" or "/CalGray" or "/G" } => 1,
            PdfArray array when array.Elements.GetName(0) == "/ICCBased" => array.Elements.GetDictionary(1)?.Elements.GetInteger("/N") ?? 3,
            PdfArray array when array.Elements.GetName(0) is "/Indexed" or "/I" => 3,
            _ => 3,
        };
        return components == 1 ? PdfByteKind.GrayImages : PdfByteKind.PhotoImages;
    }

    /// <summary>Marks what a dictionary's keys say about the objects they refer to.</summary>
    private static void MarkReferences(PdfDictionary dictionary, Dictionary<PdfObject, PdfByteKind> roles)
    {
        foreach (var key in new[] { "/FontFile", "/FontFile2", "/FontFile3", "/ToUnicode", "/Widths", "/W", "/CIDToGIDMap", "/DescendantFonts", "/FontDescriptor", "/CIDSet", "/CharProcs" })
        {
            Mark(dictionary.Elements[key], PdfByteKind.Fonts, roles, overwrite: true);
        }
        if (dictionary.Elements.GetName("/Type") == "/Page")
        {
            Mark(dictionary.Elements["/Contents"], PdfByteKind.ContentStreams, roles, overwrite: true);
            Mark(dictionary.Elements["/Thumb"], PdfByteKind.Thumbnails, roles, overwrite: true);
        }
        Mark(dictionary.Elements["/PieceInfo"], PdfByteKind.Thumbnails, roles, overwrite: true, depth: 4);
        Mark(dictionary.Elements["/AP"], PdfByteKind.FormData, roles, overwrite: false, depth: 3);
        Mark(dictionary.Elements["/XFA"], PdfByteKind.Xfa, roles, overwrite: true);
        Mark(dictionary.Elements["/Metadata"], PdfByteKind.Metadata, roles, overwrite: true);
        Mark(dictionary.Elements["/DestOutputProfile"], PdfByteKind.ColourProfiles, roles, overwrite: true);
        Mark(dictionary.Elements["/JBIG2Globals"], PdfByteKind.BilevelImages, roles, overwrite: true);
        Mark(dictionary.Elements.GetDictionary("/DecodeParms")?.Elements["/JBIG2Globals"], PdfByteKind.BilevelImages, roles, overwrite: true);
        Mark(dictionary.Elements["/ParentTree"], PdfByteKind.Tags, roles, overwrite: false, depth: 3);
        Mark(dictionary.Elements["/EF"], PdfByteKind.Attachments, roles, overwrite: true, depth: 2);
        if (dictionary.Elements["/ColorSpace"] is { } space)
        {
            MarkProfiles(space, roles, 0);
        }
        if (dictionary.Elements.GetDictionary("/ColorSpace") is { } spaces)
        {
            foreach (var value in spaces.Elements.Values)
            {
                MarkProfiles(value, roles, 0);
            }
        }
    }

    private static void MarkProfiles(PdfItem? item, Dictionary<PdfObject, PdfByteKind> roles, int depth)
    {
        item = item is PdfReference reference ? reference.Value : item;
        if (item is not PdfArray array || depth > 4)
        {
            return;
        }
        if (array.Elements.GetName(0) == "/ICCBased")
        {
            Mark(array.Elements[1], PdfByteKind.ColourProfiles, roles, overwrite: true);
            return;
        }
        foreach (var element in array.Elements)
        {
            MarkProfiles(element, roles, depth + 1);
        }
    }

    /// <summary>Marks the objects an entry refers to (through arrays and, to <paramref name="depth"/>, dictionaries).</summary>
    private static void Mark(PdfItem? item, PdfByteKind kind, Dictionary<PdfObject, PdfByteKind> roles, bool overwrite, int depth = 1)
    {
        switch (item)
        {
            case PdfReference { Value: { } target }:
                if (overwrite || !roles.ContainsKey(target))
                {
                    roles[target] = kind;
                }
                if (depth > 1)
                {
                    Mark(target, kind, roles, overwrite, depth - 1);
                }
                break;
            case PdfArray array when depth > 0:
                foreach (var element in array.Elements)
                {
                    Mark(element, kind, roles, overwrite, depth);
                }
                break;
            case PdfDictionary dictionary when depth > 1:
                foreach (var value in dictionary.Elements.Values)
                {
                    Mark(value, kind, roles, overwrite, depth - 1);
                }
                break;
        }
    }

    /// <summary>Every object a path from the trailer (the catalog and the information dictionary) reaches.</summary>
    private static HashSet<PdfObject> Reachable(PdfDocument document)
    {
        var reached = new HashSet<PdfObject>(ReferenceEqualityComparer.Instance);
        var pending = new Stack<PdfItem>();
        pending.Push(document.Internals.Catalog);
        reached.Add(document.Internals.Catalog);
        if (document.Info.Reference is { } info)
        {
            reached.Add(info.Value);
            pending.Push(info.Value);
        }
        while (pending.Count > 0 && reached.Count < MaxObjects)
        {
            switch (pending.Pop())
            {
                case PdfReference { Value: { } target }:
                    if (reached.Add(target))
                    {
                        pending.Push(target);
                    }
                    break;
                case PdfDictionary dictionary:
                    foreach (var value in dictionary.Elements.Values)
                    {
                        if (value is not null)
                        {
                            pending.Push(value);
                        }
                    }
                    break;
                case PdfArray array:
                    foreach (var element in array.Elements)
                    {
                        pending.Push(element);
                    }
                    break;
            }
        }
        return reached;
    }

    private static long StreamSize(PdfObject item) => item is PdfDictionary { Stream: { } stream } ? stream.Value.Length : 0;

    /// <summary>An object's bytes as stored: its stream as it is, plus its dictionary or value as written.</summary>
    internal static long Size(PdfObject item) =>
        Written(item, 0) + (item is PdfDictionary { Stream: { } stream } ? stream.Value.Length + "stream\nendstream\n".Length : 0) + "1 0 obj\nendobj\n".Length;

    private static long Written(PdfItem? item, int depth) => item switch
    {
        null => 4,
        _ when depth > 32 => 8,
        PdfReference reference => reference.ObjectNumber.ToString(CultureInfo.InvariantCulture).Length + 4,
        PdfDictionary dictionary => 4 + dictionary.Elements.Sum(e => e.Key.Length + 1 + Written(e.Value, depth + 1)),
        PdfArray array => 2 + array.Elements.Sum(e => Written(e, depth + 1) + 1),
        PdfString text => text.Value.Length + 2,
        _ => item.ToString()?.Length ?? 1,
    };

    /// <summary>Equal for objects a merge would make one: the same dictionary (without /Length) and the same stream bytes.</summary>
    private static string Fingerprint(PdfObject item)
    {
        var text = new StringBuilder();
        Describe(item, text, 0);
        if (item is PdfDictionary { Stream: { } stream })
        {
            text.Append('#').Append(Convert.ToHexString(SHA256.HashData(stream.Value)));
        }
        return text.Length > 512 ? Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString()))) : text.ToString();
    }

    private static void Describe(PdfItem? item, StringBuilder text, int depth)
    {
        if (depth > 16)
        {
            text.Append('…');
            return;
        }
        switch (item)
        {
            case PdfReference reference:
                text.Append(reference.ObjectNumber).Append('R');
                break;
            case PdfDictionary dictionary:
                text.Append("<<");
                foreach (var key in dictionary.Elements.Keys.OrderBy(k => k, StringComparer.Ordinal))
                {
                    if (key != "/Length")
                    {
                        text.Append(key).Append(' ');
                        Describe(dictionary.Elements[key], text, depth + 1);
                    }
                }
                text.Append(">>");
                break;
            case PdfArray array:
                text.Append('[');
                foreach (var element in array.Elements)
                {
                    Describe(element, text, depth + 1);
                    text.Append(' ');
                }
                text.Append(']');
                break;
            default:
                text.Append(item);
                break;
        }
    }
}
