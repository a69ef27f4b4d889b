using System.IO.Compression;
using System.Text;

namespace DocEngine.Core.Detection;

/// <summary>
/// Decides what a file is from its first bytes (and, for ZIP containers, their entry names), never from its name.
/// The name is only compared with the result, to say so when they disagree.
/// </summary>
public static class ContentDetector
{
    /// <summary>How many leading bytes detection looks at.</summary>
    public const int HeadLength = 4096;

    /// <summary>Detects the kind of <paramref name="content"/> (a seekable stream, left at position 0).</summary>
    public static DetectedType Detect(Stream content, string? fileName)
    {
        var head = new byte[HeadLength];
        content.Position = 0;
        var length = content.ReadAtLeast(head, HeadLength, throwOnEndOfStream: false);
        content.Position = 0;
        var kind = Sniff(head.AsSpan(0, length), content.Length);
        if (kind == DocumentKind.Zip)
        {
            kind = InspectZip(content);
            content.Position = 0;
            if (kind == DocumentKind.Zip)
            {
                kind = OfficeFromLocalHeaders(head.AsSpan(0, length));
            }
        }
        var (mediaType, description) = Describe(kind);
        return new DetectedType(kind, mediaType, description, Mismatch(kind, description, fileName));
    }

    /// <summary>The kind from leading bytes alone; ZIP containers come back as <see cref="DocumentKind.Zip"/>.</summary>
    public static DocumentKind Sniff(ReadOnlySpan<byte> head, long totalLength)
    {
        if (totalLength == 0)
        {
            return DocumentKind.Empty;
        }
        if (Starts(head, 0xFF, 0xD8, 0xFF))
        {
            return DocumentKind.Jpeg;
        }
        if (Starts(head, 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A))
        {
            return DocumentKind.Png;
        }
        if (head.StartsWith("GIF87a"u8) || head.StartsWith("GIF89a"u8))
        {
            return DocumentKind.Gif;
        }
        if (head.StartsWith("II*\0"u8) || head.StartsWith("MM\0*"u8) || head.StartsWith("II+\0"u8) || head.StartsWith("MM\0+"u8))
        {
            return DocumentKind.Tiff;
        }
        if (head.Length >= 12 && head.StartsWith("RIFF"u8) && head[8..12].SequenceEqual("WEBP"u8))
        {
            return DocumentKind.WebP;
        }
        if (head.Length >= 26 && head.StartsWith("BM"u8) && (head[14] is 12 or 40 or 52 or 56 or 64 or 108 or 124))
        {
            return DocumentKind.Bmp; // "BM" plus a known DIB header size, so text starting with "BM" is not a bitmap
        }
        if (Starts(head, 0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20, 0x0D, 0x0A, 0x87, 0x0A) || Starts(head, 0xFF, 0x4F, 0xFF, 0x51))
        {
            return DocumentKind.Jpeg2000;
        }
        if (head.Length >= 12 && head[4..8].SequenceEqual("ftyp"u8))
        {
            return IsoBrand(head);
        }
        if (head.IndexOf("%PDF-"u8) is >= 0 and < 1024)
        {
            return DocumentKind.Pdf; // readers accept up to 1 KiB of junk before the header
        }
        if (Starts(head, 0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1))
        {
            return DocumentKind.LegacyOffice;
        }
        if (head.StartsWith("PK\x03\x04"u8) || head.StartsWith("PK\x05\x06"u8))
        {
            return DocumentKind.Zip;
        }
        if (head.StartsWith("{\\rtf"u8))
        {
            return DocumentKind.Rtf;
        }
        if (head.StartsWith("MZ"u8) || Starts(head, 0x7F, (byte)'E', (byte)'L', (byte)'F') || head.StartsWith("#!"u8)
            || Starts(head, 0xCF, 0xFA, 0xED, 0xFE) || Starts(head, 0xCE, 0xFA, 0xED, 0xFE) || Starts(head, 0xCA, 0xFE, 0xBA, 0xBE))
        {
            return DocumentKind.Executable;
        }
        if (LooksLikeHtml(head))
        {
            return DocumentKind.Html;
        }
        // A PDF whose header is gone (qpdf's fuzz cases): still PDF syntax, so it is reported as a damaged PDF.
        return head.IndexOf(" obj"u8) >= 0 && (head.IndexOf("startxref"u8) >= 0 || head.IndexOf("/Type"u8) >= 0)
            ? DocumentKind.Pdf
            : DocumentKind.Unknown;
    }

    private static bool Starts(ReadOnlySpan<byte> head, params ReadOnlySpan<byte> magic) => head.StartsWith(magic);

    private static DocumentKind IsoBrand(ReadOnlySpan<byte> head)
    {
        // ISO BMFF: the major brand, then compatible brands, decide between HEIC, other HEIF and AVIF.
        var boxSize = (int)Math.Min(head.Length, (head[0] << 24) | (head[1] << 16) | (head[2] << 8) | head[3]);
        var brands = new List<string>();
        for (var offset = 8; offset + 4 <= boxSize; offset += offset == 8 ? 8 : 4)
        {
            brands.Add(Encoding.ASCII.GetString(head.Slice(offset, 4)));
        }
        if (brands.Any(b => b is "avif" or "avis"))
        {
            return DocumentKind.Avif;
        }
        if (brands.Any(b => b is "heic" or "heix" or "hevc" or "hevx" or "heim" or "heis"))
        {
            return DocumentKind.Heic;
        }
        return brands.Any(b => b is "mif1" or "msf1") ? DocumentKind.Heif : DocumentKind.Unknown;
    }

    private static DocumentKind InspectZip(Stream content)
    {
        try
        {
            using var zip = new ZipArchive(content, ZipArchiveMode.Read, leaveOpen: true);
            var names = zip.Entries.Take(10_000).Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);
            if (names.Contains("[Content_Types].xml"))
            {
                if (names.Any(n => n.StartsWith("word/", StringComparison.Ordinal)))
                {
                    return DocumentKind.WordDocx;
                }
                if (names.Any(n => n.StartsWith("xl/", StringComparison.Ordinal)))
                {
                    return DocumentKind.ExcelXlsx;
                }
                if (names.Any(n => n.StartsWith("ppt/", StringComparison.Ordinal)))
                {
                    return DocumentKind.PowerPointPptx;
                }
            }
            if (zip.GetEntry("mimetype") is { Length: < 200 } mimetype)
            {
                using var reader = new StreamReader(mimetype.Open(), Encoding.ASCII);
                if (reader.ReadToEnd().StartsWith("application/vnd.oasis.opendocument", StringComparison.Ordinal))
                {
                    return DocumentKind.OpenDocument;
                }
            }
        }
        catch (InvalidDataException)
        {
            // a damaged archive is still an archive
        }
        return DocumentKind.Zip;
    }

    /// <summary>
    /// A ZIP whose directory could not be read (truncated, damaged) is still an office file when its first local
    /// headers name an office part, so the person hears that their document is damaged, not that it is an archive.
    /// </summary>
    private static DocumentKind OfficeFromLocalHeaders(ReadOnlySpan<byte> head)
    {
        if (head.IndexOf("mimetypeapplication/vnd.oasis.opendocument"u8) >= 0)
        {
            return DocumentKind.OpenDocument;
        }
        if (head.IndexOf("[Content_Types].xml"u8) < 0)
        {
            return DocumentKind.Zip;
        }
        return head.IndexOf("word/"u8) >= 0 ? DocumentKind.WordDocx
            : head.IndexOf("xl/"u8) >= 0 ? DocumentKind.ExcelXlsx
            : head.IndexOf("ppt/"u8) >= 0 ? DocumentKind.PowerPointPptx
            : DocumentKind.Zip;
    }

    private static bool LooksLikeHtml(ReadOnlySpan<byte> head)
    {
        var text = Encoding.UTF8.GetString(head[..Math.Min(head.Length, 1024)]).TrimStart('\uFEFF', ' ', '\t', '\r', '\n');
        return text.StartsWith("<!doctype html", StringComparison.OrdinalIgnoreCase)
            || text.StartsWith("<html", StringComparison.OrdinalIgnoreCase)
            || (text.StartsWith('<') && text.Contains("<html", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The media type and a human description of a kind.</summary>
    public static (string MediaType, string Description) Describe(DocumentKind kind) => kind switch
    {
        DocumentKind.Pdf => ("application/pdf", "a PDF"),
        DocumentKind.Jpeg => ("image/jpeg", "a JPEG image"),
        DocumentKind.Png => ("image/png", "a PNG image"),
        DocumentKind.Gif => ("image/gif", "a GIF image"),
        DocumentKind.Bmp => ("image/bmp", "a BMP image"),
        DocumentKind.Tiff => ("image/tiff", "a TIFF image"),
        DocumentKind.WebP => ("image/webp", "a WebP image"),
        DocumentKind.Heic => ("image/heic", "a HEIC photo"),
        DocumentKind.Heif => ("image/heif", "a HEIF image"),
        DocumentKind.Avif => ("image/avif", "an AVIF image"),
        DocumentKind.Jpeg2000 => ("image/jp2", "a JPEG 2000 image"),
        DocumentKind.LegacyOffice => ("application/msword", "a Word 97-2003 document (.doc) or another old Office file"),
        DocumentKind.WordDocx => ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "a Word document (.docx)"),
        DocumentKind.ExcelXlsx => ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "an Excel spreadsheet (.xlsx)"),
        DocumentKind.PowerPointPptx => ("application/vnd.openxmlformats-officedocument.presentationml.presentation", "a PowerPoint presentation (.pptx)"),
        DocumentKind.OpenDocument => ("application/vnd.oasis.opendocument.text", "an OpenDocument file (.odt)"),
        DocumentKind.Rtf => ("application/rtf", "a Rich Text document (.rtf)"),
        DocumentKind.Zip => ("application/zip", "a ZIP archive"),
        DocumentKind.Html => ("text/html", "a web page (HTML)"),
        DocumentKind.Executable => ("application/octet-stream", "a program or script"),
        DocumentKind.Empty => ("application/octet-stream", "an empty file"),
        _ => ("application/octet-stream", "a file of a kind DocEngine does not recognise"),
    };

    private static readonly Dictionary<string, DocumentKind[]> KindsByExtension = new(StringComparer.OrdinalIgnoreCase)
    {
        [".pdf"] = [DocumentKind.Pdf],
        [".jpg"] = [DocumentKind.Jpeg],
        [".jpeg"] = [DocumentKind.Jpeg],
        [".jfif"] = [DocumentKind.Jpeg],
        [".png"] = [DocumentKind.Png],
        [".gif"] = [DocumentKind.Gif],
        [".bmp"] = [DocumentKind.Bmp],
        [".tif"] = [DocumentKind.Tiff],
        [".tiff"] = [DocumentKind.Tiff],
        [".webp"] = [DocumentKind.WebP],
        [".heic"] = [DocumentKind.Heic, DocumentKind.Heif],
        [".heif"] = [DocumentKind.Heif, DocumentKind.Heic],
        [".avif"] = [DocumentKind.Avif],
        [".jp2"] = [DocumentKind.Jpeg2000],
        [".j2k"] = [DocumentKind.Jpeg2000],
        [".doc"] = [DocumentKind.LegacyOffice],
        [".docx"] = [DocumentKind.WordDocx],
        [".xlsx"] = [DocumentKind.ExcelXlsx],
        [".pptx"] = [DocumentKind.PowerPointPptx],
        [".odt"] = [DocumentKind.OpenDocument],
        [".rtf"] = [DocumentKind.Rtf],
        [".zip"] = [DocumentKind.Zip],
        [".html"] = [DocumentKind.Html],
        [".htm"] = [DocumentKind.Html],
    };

    private static string? Mismatch(DocumentKind kind, string description, string? fileName)
    {
        var extension = Path.GetExtension(fileName ?? "");
        if (extension.Length == 0 || !KindsByExtension.TryGetValue(extension, out var expected) || expected.Contains(kind))
        {
            return null;
        }
        return $"The name ends in {extension.ToLowerInvariant()} but the file is {description}.";
    }
}
