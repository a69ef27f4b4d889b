using System.Globalization;
using System.Text;

namespace DocEngine.Tests.Infrastructure.SignedPdfs;

/// <summary>One object to write in an update: number, generation and the body between <c>obj</c> and <c>endobj</c>.</summary>
public sealed record PdfObjectWrite(int Number, int Generation, byte[] Body)
{
    /// <summary>An object whose body is PDF syntax text (Latin-1).</summary>
    public static PdfObjectWrite Of(int number, string body, int generation = 0) => new(number, generation, Encoding.Latin1.GetBytes(body));

    /// <summary>A stream object: <c>&lt;&lt; entries /Length n &gt;&gt; stream ... endstream</c>.</summary>
    public static PdfObjectWrite Stream(int number, string dictionaryEntries, string data, int generation = 0) =>
        new(number, generation, IncrementalUpdate.StreamBody(dictionaryEntries, Encoding.Latin1.GetBytes(data)));
}

/// <summary>One object to free in an update, with the generation it gets for reuse.</summary>
public sealed record PdfObjectFree(int Number, int NextGeneration);

/// <summary>How <see cref="IncrementalUpdate.Append(byte[], UpdateOptions)"/> writes an update, including the ways attacks bend one.</summary>
public sealed record UpdateOptions
{
    /// <summary>Objects written in the update.</summary>
    public IReadOnlyList<PdfObjectWrite> Objects { get; init; } = [];

    /// <summary>Objects freed.</summary>
    public IReadOnlyList<PdfObjectFree> Frees { get; init; } = [];

    /// <summary>Cross-reference entries pointing numbers at bodies already in the file (no body is written): number → offset.</summary>
    public IReadOnlyDictionary<int, long> Relocations { get; init; } = new Dictionary<int, long>();

    /// <summary>A /Root other than the previous trailer's (e.g. "93 0 R").</summary>
    public string? Root { get; init; }

    /// <summary>Lists the written objects and relocations in a cross-reference stream named by the trailer's /XRefStm (a hybrid file, ISO 32000-2 §7.5.8.4) instead of the table.</summary>
    public bool Hybrid { get; init; }

    /// <summary>Writes no xref, trailer, startxref or %%EOF: objects appended after the last revision.</summary>
    public bool ObjectsOnly { get; init; }

    /// <summary>Leaves /Prev out of the trailer.</summary>
    public bool NoPrev { get; init; }

    /// <summary>An /Info other than the previous trailer's (e.g. "40 0 R").</summary>
    public string? Info { get; init; }
}

/// <summary>Appends classic-xref incremental updates (objects, frees, xref, trailer with /Prev; /Root, /Info, /ID and /Encrypt carried over) to existing PDF bytes.</summary>
public static class IncrementalUpdate
{
    /// <summary>The first unused object number, from the newest trailer's /Size.</summary>
    public static int NextObjectNumber(byte[] pdf) => PdfObjectReader.ReadTrailer(pdf).Size;

    /// <summary>Appends one update holding <paramref name="objects"/> and <paramref name="frees"/> and returns the new file.</summary>
    public static byte[] Append(byte[] pdf, IEnumerable<PdfObjectWrite> objects, IEnumerable<PdfObjectFree>? frees = null) =>
        Append(pdf, new UpdateOptions { Objects = objects.ToList(), Frees = (frees ?? []).ToList() });

    /// <summary>Appends one update as <paramref name="options"/> say and returns the new file.</summary>
    public static byte[] Append(byte[] pdf, UpdateOptions options)
    {
        var previous = PdfObjectReader.ReadTrailer(pdf);
        var output = new MemoryStream();
        output.Write(pdf);
        if (pdf.Length > 0 && pdf[^1] != (byte)'\n' && pdf[^1] != (byte)'\r')
        {
            output.WriteByte((byte)'\n');
        }
        var entries = new SortedDictionary<int, string>();
        var located = new SortedDictionary<int, (long Offset, int Generation)>();
        foreach (var item in options.Objects)
        {
            located[item.Number] = (output.Position, item.Generation);
            Write(output, $"{item.Number} {item.Generation} obj\n");
            output.Write(item.Body);
            Write(output, "\nendobj\n");
        }
        if (options.ObjectsOnly)
        {
            return output.ToArray();
        }
        foreach (var (number, offset) in options.Relocations)
        {
            located[number] = (offset, 0);
        }
        var size = Math.Max(previous.Size, located.Keys.DefaultIfEmpty(0).Max() + 1);
        long? xrefStream = null;
        if (options.Hybrid && located.Count > 0)
        {
            xrefStream = output.Position;
            var data = new MemoryStream();
            var index = new StringBuilder();
            foreach (var (number, (offset, generation)) in located)
            {
                data.WriteByte(1);
                data.Write([(byte)(offset >> 24), (byte)(offset >> 16), (byte)(offset >> 8), (byte)offset]);
                data.Write([(byte)(generation >> 8), (byte)generation]);
                index.Append(CultureInfo.InvariantCulture, $"{number} 1 ");
            }
            Write(output, $"{size} 0 obj\n");
            output.Write(StreamBody($"/Type /XRef /W [1 4 2] /Index [{index.ToString().TrimEnd()}] /Size {size + 1}", data.ToArray()));
            Write(output, "\nendobj\n");
            size++;
        }
        else
        {
            foreach (var (number, (offset, generation)) in located)
            {
                entries[number] = Entry(offset, generation, 'n');
            }
        }
        var freed = options.Frees.OrderBy(f => f.Number).ToList();
        for (var i = 0; i < freed.Count; i++)
        {
            entries[freed[i].Number] = Entry(i + 1 < freed.Count ? freed[i + 1].Number : 0, freed[i].NextGeneration, 'f');
        }
        if (freed.Count > 0)
        {
            entries[0] = Entry(freed[0].Number, 65535, 'f');
        }
        var xref = output.Position;
        Write(output, "xref\n" + XrefSections(entries));
        size = Math.Max(size, entries.Keys.DefaultIfEmpty(0).Max() + 1);
        var trailer = new StringBuilder().Append(CultureInfo.InvariantCulture, $"trailer\n<< /Size {size} /Root {options.Root ?? previous.Root}");
        if ((options.Info ?? previous.Info) is { } info)
        {
            trailer.Append(CultureInfo.InvariantCulture, $" /Info {info}");
        }
        if (previous.Id is not null)
        {
            trailer.Append(' ').Append(previous.Id);
        }
        if (previous.Encrypt is not null)
        {
            trailer.Append(CultureInfo.InvariantCulture, $" /Encrypt {previous.Encrypt}");
        }
        if (xrefStream is { } stream)
        {
            trailer.Append(CultureInfo.InvariantCulture, $" /XRefStm {stream}");
        }
        if (!options.NoPrev)
        {
            trailer.Append(CultureInfo.InvariantCulture, $" /Prev {previous.StartXref}");
        }
        trailer.Append(CultureInfo.InvariantCulture, $" >>\nstartxref\n{xref}\n%%EOF\n");
        Write(output, trailer.ToString());
        return output.ToArray();
    }

    /// <summary>Appends one update that writes <paramref name="objects"/> only.</summary>
    public static byte[] Append(byte[] pdf, params PdfObjectWrite[] objects) => Append(pdf, objects, null);

    /// <summary>A stream object body with the exact /Length of <paramref name="data"/>.</summary>
    public static byte[] StreamBody(string dictionaryEntries, byte[] data)
    {
        var body = new MemoryStream();
        Write(body, $"<< {dictionaryEntries} /Length {data.Length} >>\nstream\n".Replace("<<  /Length", "<< /Length", StringComparison.Ordinal));
        body.Write(data);
        Write(body, "\nendstream");
        return body.ToArray();
    }

    /// <summary>Writes the xref subsections (one per contiguous run of numbers) of the given 20-byte entries.</summary>
    internal static string XrefSections(SortedDictionary<int, string> entries)
    {
        var text = new StringBuilder();
        var numbers = entries.Keys.ToList();
        for (var start = 0; start < numbers.Count;)
        {
            var end = start;
            while (end + 1 < numbers.Count && numbers[end + 1] == numbers[end] + 1)
            {
                end++;
            }
            text.Append(CultureInfo.InvariantCulture, $"{numbers[start]} {end - start + 1}\n");
            for (var i = start; i <= end; i++)
            {
                text.Append(entries[numbers[i]]);
            }
            start = end + 1;
        }
        return text.ToString();
    }

    /// <summary>One 20-byte xref entry.</summary>
    internal static string Entry(long offset, int generation, char type) =>
        string.Create(CultureInfo.InvariantCulture, $"{offset:D10} {generation:D5} {type} \n");

    private static void Write(Stream stream, string text) => stream.Write(Encoding.Latin1.GetBytes(text));
}
