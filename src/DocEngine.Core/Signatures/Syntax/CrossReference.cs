namespace DocEngine.Core.Signatures.Syntax;

/// <summary>Where one object lives in a revision: at a file offset, inside an object stream, or freed.</summary>
internal readonly record struct XrefEntry(XrefKind Kind, long Offset, int Generation, int StreamNumber = 0, int IndexInStream = 0);

internal enum XrefKind
{
    Free,
    InFile,
    InObjectStream,
}

/// <summary>
/// One cross-reference section (a table or a stream, ISO 32000-2 §7.5.4, §7.5.8) with its trailer. <see cref="Conflicts"/>
/// are numbers it lists twice with different locations (twice in one table, or in a hybrid file's table and its
/// /XRefStm): readers disagree on which copy they show.
/// </summary>
internal sealed record XrefSection(long Offset, PdfDictionary Trailer, Dictionary<int, XrefEntry> Entries, bool IsStream, List<int> Conflicts);

/// <summary>Reads cross-reference tables, cross-reference streams and hybrid files' /XRefStm.</summary>
internal static class CrossReference
{
    private const int MaxEntries = 10_000_000;

    public static XrefSection Read(PdfFile file, long offset)
    {
        if (offset < 0 || offset >= file.Length)
        {
            throw new PdfSyntaxException($"a cross-reference offset ({offset}) lies outside the file");
        }
        var parser = file.ParserAt(offset);
        if (parser.TryKeyword("xref"))
        {
            return ReadTable(file, parser, offset);
        }
        parser.Position = (int)offset;
        if (parser.TryReadInteger() is { } number && parser.TryReadInteger() is not null && parser.TryKeyword("obj"))
        {
            var stream = file.ReadObjectAt(offset, (int)number) as PdfStream
                ?? throw new PdfSyntaxException($"the cross-reference at byte {offset} is neither a table nor a stream");
            var conflicts = new List<int>();
            return new XrefSection(offset, stream.Dictionary, ReadStreamEntries(file, stream, conflicts), IsStream: true, conflicts);
        }
        throw new PdfSyntaxException($"no cross-reference table or stream starts at byte {offset}");
    }

    private static XrefSection ReadTable(PdfFile file, PdfParser parser, long offset)
    {
        var entries = new Dictionary<int, XrefEntry>();
        var conflicts = new List<int>();
        while (parser.TryReadInteger() is { } first)
        {
            var count = parser.TryReadInteger() ?? throw new PdfSyntaxException($"a cross-reference subsection header at byte {parser.Position} is incomplete");
            if (first + count > MaxEntries)
            {
                throw new PdfSyntaxException("a cross-reference table claims more objects than any document holds");
            }
            for (var i = 0; i < count; i++)
            {
                var position = parser.TryReadInteger();
                var generation = parser.TryReadInteger();
                var type = parser.ReadToken();
                if (position is null || generation is null || type is not ("n" or "f"))
                {
                    throw new PdfSyntaxException($"a cross-reference entry near byte {parser.Position} is malformed");
                }
                // The first definition of a number in a section wins (ISO 32000-2 §7.5.4); some readers take the last.
                Add(entries, conflicts, (int)(first + i), type == "n"
                    ? new XrefEntry(XrefKind.InFile, position.Value, (int)generation.Value)
                    : new XrefEntry(XrefKind.Free, 0, (int)generation.Value));
            }
        }
        if (!parser.TryKeyword("trailer") || parser.ReadObject() is not PdfDictionary trailer)
        {
            throw new PdfSyntaxException($"the cross-reference table at byte {offset} has no trailer");
        }
        entries.Remove(0);
        if ((trailer["XRefStm"] as PdfNumber)?.AsLong is { } hybrid)
        {
            // Hybrid file (§7.5.8.4): the stream adds the objects a pre-1.5 reader must not see; the table wins on conflicts.
            var extra = Read(file, hybrid);
            conflicts.AddRange(extra.Conflicts);
            foreach (var (number, entry) in extra.Entries)
            {
                Add(entries, conflicts, number, entry);
            }
        }
        return new XrefSection(offset, trailer, entries, IsStream: false, conflicts);
    }

    private static void Add(Dictionary<int, XrefEntry> entries, List<int> conflicts, int number, XrefEntry entry)
    {
        if (!entries.TryAdd(number, entry) && number != 0 && entries[number] != entry && conflicts.Count < 1000)
        {
            conflicts.Add(number);
        }
    }

    private static Dictionary<int, XrefEntry> ReadStreamEntries(PdfFile file, PdfStream stream, List<int> conflicts)
    {
        var widths = (stream["W"] as PdfArray)?.Items.Select(w => (int)((w as PdfNumber)?.AsLong ?? -1)).ToArray();
        if (widths is not { Length: 3 } || widths.Any(w => w is < 0 or > 8))
        {
            throw new PdfSyntaxException("a cross-reference stream has no valid /W");
        }
        var size = (stream["Size"] as PdfNumber)?.AsLong ?? 0;
        var index = (stream["Index"] as PdfArray)?.Items.Select(i => (i as PdfNumber)?.AsLong ?? -1).ToArray() ?? [0, size];
        if (index.Length % 2 != 0 || index.Any(i => i < 0) || index.Where((_, i) => i % 2 == 1).Sum() > MaxEntries)
        {
            throw new PdfSyntaxException("a cross-reference stream has an invalid /Index");
        }
        var data = StreamDecoder.Decode(stream, stream.Data(file.Span), o => o);
        var rowLength = widths.Sum();
        var entries = new Dictionary<int, XrefEntry>();
        var row = 0;
        for (var s = 0; s < index.Length; s += 2)
        {
            for (var i = 0; i < index[s + 1]; i++, row++)
            {
                if ((row + 1) * rowLength > data.Length)
                {
                    throw new PdfSyntaxException("a cross-reference stream is shorter than its /Index says");
                }
                var fields = data.AsSpan(row * rowLength, rowLength);
                var type = widths[0] == 0 ? 1 : Field(fields[..widths[0]]);
                var second = Field(fields.Slice(widths[0], widths[1]));
                var third = Field(fields.Slice(widths[0] + widths[1], widths[2]));
                var number = (int)(index[s] + i);
                var entry = type switch
                {
                    0 => new XrefEntry(XrefKind.Free, 0, (int)third),
                    1 => new XrefEntry(XrefKind.InFile, second, (int)third),
                    2 => new XrefEntry(XrefKind.InObjectStream, 0, 0, (int)second, (int)third),
                    _ => (XrefEntry?)null, // reserved types are ignored, as §7.5.8.3 requires
                };
                if (entry is { } e && number != 0)
                {
                    Add(entries, conflicts, number, e);
                }
            }
        }
        return entries;
    }

    private static long Field(ReadOnlySpan<byte> bytes)
    {
        long value = 0;
        foreach (var b in bytes)
        {
            value = (value << 8) | b;
        }
        return value;
    }
}
