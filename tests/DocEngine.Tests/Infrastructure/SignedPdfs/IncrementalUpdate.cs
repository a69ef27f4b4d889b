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

/// <summary>Appends classic-xref incremental updates (objects, frees, xref, trailer with /Prev; /Root, /Info, /ID and /Encrypt carried over) to existing PDF bytes.</summary>
public static class IncrementalUpdate
{
    /// <summary>The first unused object number, from the newest trailer's /Size.</summary>
    public static int NextObjectNumber(byte[] pdf) => PdfObjectReader.ReadTrailer(pdf).Size;

    /// <summary>Appends one update holding <paramref name="objects"/> and <paramref name="frees"/> and returns the new file.</summary>
    public static byte[] Append(byte[] pdf, IEnumerable<PdfObjectWrite> objects, IEnumerable<PdfObjectFree>? frees = null)
    {
        var previous = PdfObjectReader.ReadTrailer(pdf);
        var output = new MemoryStream();
        output.Write(pdf);
        if (pdf.Length > 0 && pdf[^1] != (byte)'\n' && pdf[^1] != (byte)'\r')
        {
            output.WriteByte((byte)'\n');
        }
        var entries = new SortedDictionary<int, string>();
        foreach (var item in objects)
        {
            entries[item.Number] = Entry(output.Position, item.Generation, 'n');
            Write(output, $"{item.Number} {item.Generation} obj\n");
            output.Write(item.Body);
            Write(output, "\nendobj\n");
        }
        var freed = (frees ?? []).OrderBy(f => f.Number).ToList();
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
        var size = Math.Max(previous.Size, entries.Keys.DefaultIfEmpty(0).Max() + 1);
        var trailer = new StringBuilder().Append(CultureInfo.InvariantCulture, $"trailer\n<< /Size {size} /Root {previous.Root}");
        if (previous.Info is not null)
        {
            trailer.Append(CultureInfo.InvariantCulture, $" /Info {previous.Info}");
        }
        if (previous.Id is not null)
        {
            trailer.Append(' ').Append(previous.Id);
        }
        if (previous.Encrypt is not null)
        {
            trailer.Append(CultureInfo.InvariantCulture, $" /Encrypt {previous.Encrypt}");
        }
        trailer.Append(CultureInfo.InvariantCulture, $" /Prev {previous.StartXref} >>\nstartxref\n{xref}\n%%EOF\n");
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
