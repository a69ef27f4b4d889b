using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace DocEngine.Tests.Infrastructure.SignedPdfs;

/// <summary>The newest trailer of a classic-xref PDF: /Size, /Root, /Info, /ID (as text), the startxref it hangs off and /Encrypt.</summary>
public sealed record PdfTrailer(int Size, string Root, string? Info, string? Id, long StartXref, string? Encrypt = null);

/// <summary>A minimal reader for the fixtures' classic-xref PDFs: trailers, xref chains, object bodies and AcroForm fields by name.</summary>
public static partial class PdfObjectReader
{
    /// <summary>The byte-preserving text encoding used for PDF syntax.</summary>
    public static Encoding Latin1 => Encoding.Latin1;

    /// <summary>The offset named by the last <c>startxref</c>.</summary>
    public static long LastStartXref(byte[] pdf)
    {
        var text = Latin1.GetString(pdf);
        var at = text.LastIndexOf("startxref", StringComparison.Ordinal);
        if (at < 0)
        {
            throw new FormatException("No startxref.");
        }
        return long.Parse(NumberRegex().Match(text, at + 9).Value, CultureInfo.InvariantCulture);
    }

    /// <summary>The dictionary after the last <c>trailer</c> keyword (classic xref tables only).</summary>
    public static PdfTrailer ReadTrailer(byte[] pdf)
    {
        var text = Latin1.GetString(pdf);
        var at = text.LastIndexOf("trailer", StringComparison.Ordinal);
        if (at < 0)
        {
            throw new NotSupportedException("No trailer keyword: cross-reference streams are not supported by the fixtures.");
        }
        var end = text.IndexOf("startxref", at, StringComparison.Ordinal);
        var dictionary = text[at..(end < 0 ? text.Length : end)];
        var size = SizeRegex().Match(dictionary);
        var root = RefRegex("Root").Match(dictionary);
        if (!size.Success || !root.Success)
        {
            throw new FormatException("The trailer has no /Size or /Root.");
        }
        var info = RefRegex("Info").Match(dictionary);
        var id = IdRegex().Match(dictionary);
        var encrypt = RefRegex("Encrypt").Match(dictionary);
        return new PdfTrailer(int.Parse(size.Groups[1].Value, CultureInfo.InvariantCulture), root.Groups[1].Value + " " + root.Groups[2].Value + " R",
            info.Success ? info.Groups[1].Value + " " + info.Groups[2].Value + " R" : null, id.Success ? id.Value : null, LastStartXref(pdf),
            encrypt.Success ? encrypt.Groups[1].Value + " " + encrypt.Groups[2].Value + " R" : null);
    }

    /// <summary>The catalog's object number.</summary>
    public static int RootObject(byte[] pdf) => int.Parse(ReadTrailer(pdf).Root.Split(' ')[0], CultureInfo.InvariantCulture);

    /// <summary>The offset of the newest in-use definition of object <paramref name="number"/>, walking the xref chain via /Prev.</summary>
    public static long? ObjectOffset(byte[] pdf, int number)
    {
        var text = Latin1.GetString(pdf);
        long? section = LastStartXref(pdf);
        var seen = new HashSet<long>();
        while (section is { } start && seen.Add(start))
        {
            var position = (int)start;
            if (string.CompareOrdinal(text, position, "xref", 0, 4) != 0)
            {
                throw new NotSupportedException($"No classic xref table at {start}.");
            }
            position += 4;
            while (true)
            {
                var header = SubsectionRegex().Match(text, position);
                if (!header.Success)
                {
                    break;
                }
                var first = int.Parse(header.Groups[1].Value, CultureInfo.InvariantCulture);
                var count = int.Parse(header.Groups[2].Value, CultureInfo.InvariantCulture);
                position = header.Index + header.Length;
                for (var i = 0; i < count; i++)
                {
                    var entry = EntryRegex().Match(text, position);
                    position = entry.Index + entry.Length;
                    if (first + i == number)
                    {
                        return entry.Groups[3].Value == "n" ? long.Parse(entry.Groups[1].Value, CultureInfo.InvariantCulture) : null;
                    }
                }
            }
            var trailerEnd = text.IndexOf("startxref", position, StringComparison.Ordinal);
            var prev = PrevRegex().Match(text[position..(trailerEnd < 0 ? text.Length : trailerEnd)]);
            section = prev.Success ? long.Parse(prev.Groups[1].Value, CultureInfo.InvariantCulture) : null;
        }
        return null;
    }

    /// <summary>The newest body of object <paramref name="number"/>: the text between <c>obj</c> and <c>endobj</c>, trimmed (Latin-1).</summary>
    public static string ReadObject(byte[] pdf, int number)
    {
        var offset = ObjectOffset(pdf, number) ?? throw new KeyNotFoundException($"Object {number} is not in use.");
        var text = Latin1.GetString(pdf);
        var header = ObjectHeaderRegex().Match(text, (int)offset);
        if (!header.Success || header.Index != offset || header.Groups[1].Value != number.ToString(CultureInfo.InvariantCulture))
        {
            throw new FormatException($"No 'obj' header for object {number} at {offset}.");
        }
        var start = header.Index + header.Length;
        return text[start..text.IndexOf("endobj", start, StringComparison.Ordinal)].Trim();
    }

    /// <summary>The object number of an indirect reference <c>/Key n g R</c> in a dictionary body, if any.</summary>
    public static int? Reference(string body, string key)
    {
        var match = RefRegex(key).Match(body);
        return match.Success ? int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : null;
    }

    /// <summary>The object numbers of the references in an array entry <c>/Key [n g R ...]</c>.</summary>
    public static IReadOnlyList<int> References(string body, string key)
    {
        var match = Regex.Match(body, "/" + key + @"\s*\[([^\]]*)\]");
        return match.Success
            ? [.. ArrayRefRegex().Matches(match.Groups[1].Value).Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture))]
            : [];
    }

    /// <summary>The AcroForm's top-level fields by their /T name (AcroForm direct in the catalog or indirect).</summary>
    public static IReadOnlyDictionary<string, int> Fields(byte[] pdf)
    {
        var catalog = ReadObject(pdf, RootObject(pdf));
        var form = Reference(catalog, "AcroForm") is { } formNumber ? ReadObject(pdf, formNumber) : catalog;
        var fields = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var number in References(form, "Fields"))
        {
            var name = NameRegex().Match(ReadObject(pdf, number));
            if (name.Success)
            {
                fields[name.Groups[1].Value] = number;
            }
        }
        return fields;
    }

    /// <summary>The object number of the top-level field named <paramref name="name"/>.</summary>
    public static int Field(byte[] pdf, string name) =>
        Fields(pdf).TryGetValue(name, out var number) ? number : throw new KeyNotFoundException($"No field named {name}.");

    /// <summary>The first page's object number (first kid of the root Pages node).</summary>
    public static int FirstPage(byte[] pdf) => References(ReadObject(pdf, PagesObject(pdf)), "Kids")[0];

    /// <summary>The root Pages node's object number.</summary>
    public static int PagesObject(byte[] pdf) => Reference(ReadObject(pdf, RootObject(pdf)), "Pages") ?? throw new FormatException("No /Pages.");

    private static Regex RefRegex(string key) => new("/" + key + @"\s+(\d+)\s+(\d+)\s+R", RegexOptions.CultureInvariant);

    [GeneratedRegex(@"\d+")]
    private static partial Regex NumberRegex();

    [GeneratedRegex(@"/Size\s+(\d+)")]
    private static partial Regex SizeRegex();

    [GeneratedRegex(@"/ID\s*\[[^\]]*\]")]
    private static partial Regex IdRegex();

    [GeneratedRegex(@"/Prev\s+(\d+)")]
    private static partial Regex PrevRegex();

    [GeneratedRegex(@"\G\s*(\d+)\s+(\d+)[ \t]*[\r\n]+")]
    private static partial Regex SubsectionRegex();

    [GeneratedRegex(@"\G\s*(\d{10})\s(\d{5})\s([nf])")]
    private static partial Regex EntryRegex();

    [GeneratedRegex(@"\G(\d+)\s+(\d+)\s+obj\b")]
    private static partial Regex ObjectHeaderRegex();

    [GeneratedRegex(@"(\d+)\s+\d+\s+R")]
    private static partial Regex ArrayRefRegex();

    [GeneratedRegex(@"/T\s*\(((?:\\.|[^\\)])*)\)")]
    private static partial Regex NameRegex();
}
