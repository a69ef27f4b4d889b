namespace DocEngine.Core.Signatures.Syntax;

/// <summary>
/// Every "N G obj" header, trailer dictionary, cross-reference stream and object stream in a file, found by reading it
/// from start to end and stepping over stream data: what PDF readers rebuild a damaged file's object table from (qpdf's
/// reconstruction, MuPDF's and poppler's repair). A later definition of a number wins, as in those readers.
/// </summary>
internal sealed class ObjectScan
{
    private const int MaxHeaders = 5_000_000;
    private readonly PdfFile _file;
    private readonly List<(int Number, int Generation, long Offset, bool IsObjectStream)> _headers = [];
    private readonly List<(long Offset, PdfDictionary Trailer)> _trailers = [];
    private readonly List<(int Number, int Generation, long Offset)> _catalogs = [];

    private ObjectScan(PdfFile file) => _file = file;

    public static ObjectScan Run(PdfFile file)
    {
        var scan = new ObjectScan(file);
        scan.FindObjects();
        scan.FindTrailers();
        scan._trailers.Sort((a, b) => a.Offset.CompareTo(b.Offset));
        return scan;
    }

    /// <summary>The last header of <paramref name="number"/> that starts before <paramref name="end"/>.</summary>
    public (long Offset, int Generation)? LatestBefore(int number, long end)
    {
        for (var i = _headers.Count - 1; i >= 0; i--)
        {
            var header = _headers[i];
            if (header.Number == number && header.Offset < end)
            {
                return (header.Offset, header.Generation);
            }
        }
        return null;
    }

    /// <summary>
    /// The trailer a reader would rebuild for the file cut at <paramref name="end"/>: the trailer dictionaries (and
    /// cross-reference stream dictionaries) before it merged, later keys winning; its /Root the newest catalog when it
    /// names none that exists. Null when the part holds no catalog at all.
    /// </summary>
    public PdfDictionary? TrailerBefore(long end)
    {
        var merged = new Dictionary<string, PdfObject>(StringComparer.Ordinal);
        foreach (var (offset, trailer) in _trailers)
        {
            if (offset >= end)
            {
                break;
            }
            foreach (var (key, value) in trailer.Entries)
            {
                merged[key] = value;
            }
        }
        var catalogs = _catalogs.Where(c => c.Offset < end).ToList();
        var root = merged.GetValueOrDefault("Root") as PdfReference;
        if (root is null || LatestBefore(root.Number, end) is null)
        {
            if (catalogs.Count == 0)
            {
                return null;
            }
            var (number, generation, _) = catalogs[^1];
            merged["Root"] = new PdfReference(number, generation);
        }
        foreach (var key in new[] { "Prev", "XRefStm", "Type", "W", "Index", "Filter", "DecodeParms", "Length", "Size" })
        {
            merged.Remove(key);
        }
        return new PdfDictionary(merged);
    }

    /// <summary>The object table of the file cut at <paramref name="end"/>: each number at its last header, or inside the last object stream that holds it.</summary>
    public Dictionary<int, XrefEntry> TableBefore(long end)
    {
        var table = new Dictionary<int, XrefEntry>();
        foreach (var (number, generation, offset, isObjectStream) in _headers)
        {
            _file.CancellationToken.ThrowIfCancellationRequested();
            if (offset >= end)
            {
                break;
            }
            table[number] = new XrefEntry(XrefKind.InFile, offset, generation);
            if (isObjectStream)
            {
                foreach (var (member, index) in Members(number, generation, offset))
                {
                    if (member != number)
                    {
                        table[member] = new XrefEntry(XrefKind.InObjectStream, 0, 0, number, index);
                    }
                }
            }
        }
        return table;
    }

    /// <summary>The numbers of the objects an object stream holds, with their indexes; none when it cannot be decoded.</summary>
    private IEnumerable<(int Number, int Index)> Members(int number, int generation, long offset)
    {
        try
        {
            var stream = (PdfStream)_file.ReadObjectAt(offset, number);
            var raw = _file.Encryption is { } encryption ? encryption.DecryptStream(stream.Data(_file.Span), number, generation) : stream.Data(_file.Span).ToArray();
            var data = StreamDecoder.Decode(stream, raw, v => v);
            var count = (int)Math.Clamp((stream["N"] as PdfNumber)?.AsLong ?? 0, 0, 1_000_000);
            var header = new PdfParser(data, positionsAreFileOffsets: false);
            var members = new List<(int, int)>();
            for (var i = 0; i < count; i++)
            {
                var member = header.TryReadInteger();
                if (member is null || header.TryReadInteger() is null)
                {
                    break;
                }
                members.Add(((int)Math.Min(member.Value, int.MaxValue), i));
            }
            return members;
        }
        catch (Exception e) when (e is PdfSyntaxException or InvalidCastException)
        {
            return [];
        }
    }

    private void FindObjects()
    {
        var span = _file.Span;
        var position = 0;
        while (position < span.Length && _headers.Count < MaxHeaders)
        {
            _file.CancellationToken.ThrowIfCancellationRequested();
            var found = span[position..].IndexOf("obj"u8);
            if (found < 0)
            {
                return;
            }
            var keyword = position + found;
            position = keyword + 3;
            if (position < span.Length && !PdfParser.IsWhitespace(span[position]) && !PdfParser.IsDelimiter(span[position])
                || HeaderBefore(span, keyword) is not { } header)
            {
                continue;
            }
            var parser = _file.ParserAt(position);
            PdfObject value;
            try
            {
                value = parser.ReadObject();
            }
            catch (PdfSyntaxException)
            {
                continue;
            }
            var isObjectStream = false;
            if (value is PdfDictionary dictionary)
            {
                if (dictionary.Name("Type") == "Catalog")
                {
                    _catalogs.Add((header.Number, header.Generation, header.Start));
                }
                if (parser.TryKeyword("stream"))
                {
                    var start = _file.StreamStart(parser.Position);
                    var length = StreamLength(span, dictionary, start);
                    if (length >= 0)
                    {
                        isObjectStream = dictionary.Name("Type") == "ObjStm";
                        if (dictionary.Name("Type") == "XRef")
                        {
                            _trailers.Add((header.Start, dictionary));
                        }
                        parser.Position = (int)(start + length);
                    }
                }
            }
            _headers.Add((header.Number, header.Generation, header.Start, isObjectStream));
            position = Math.Max(position, parser.Position);
        }
    }

    /// <summary>The stream's length: a direct /Length that ends at <c>endstream</c>, else up to the next <c>endstream</c>; -1 without one.</summary>
    private long StreamLength(ReadOnlySpan<byte> span, PdfDictionary dictionary, long start)
    {
        if ((dictionary["Length"] as PdfNumber)?.AsLong is { } length && length >= 0 && start + length <= span.Length
            && _file.ParserAt(start + length).TryKeyword("endstream"))
        {
            return length;
        }
        var end = span[(int)start..].IndexOf("endstream"u8);
        return end;
    }

    /// <summary>"N G" just before the <c>obj</c> keyword at <paramref name="keyword"/>, each a whole token.</summary>
    private static (int Number, int Generation, long Start)? HeaderBefore(ReadOnlySpan<byte> span, int keyword)
    {
        var i = keyword - 1;
        if (i < 0 || !PdfParser.IsWhitespace(span[i]))
        {
            return null; // also rules out "endobj"
        }
        while (i >= 0 && PdfParser.IsWhitespace(span[i]))
        {
            i--;
        }
        var generationEnd = i;
        while (i >= 0 && char.IsAsciiDigit((char)span[i]))
        {
            i--;
        }
        if (generationEnd - i is 0 or > 5 || i < 0 || !PdfParser.IsWhitespace(span[i]))
        {
            return null;
        }
        var generation = Number(span[(i + 1)..(generationEnd + 1)]);
        while (i >= 0 && PdfParser.IsWhitespace(span[i]))
        {
            i--;
        }
        var numberEnd = i;
        while (i >= 0 && char.IsAsciiDigit((char)span[i]))
        {
            i--;
        }
        if (numberEnd - i is 0 or > 9 || i >= 0 && !PdfParser.IsWhitespace(span[i]) && !PdfParser.IsDelimiter(span[i]))
        {
            return null;
        }
        return ((int)Number(span[(i + 1)..(numberEnd + 1)]), (int)generation, i + 1);
    }

    private static long Number(ReadOnlySpan<byte> digits)
    {
        long value = 0;
        foreach (var digit in digits)
        {
            value = value * 10 + (digit - '0');
        }
        return value;
    }

    private void FindTrailers()
    {
        var span = _file.Span;
        var position = 0;
        while (position < span.Length)
        {
            var found = span[position..].IndexOf("trailer"u8);
            if (found < 0)
            {
                return;
            }
            var at = position + found;
            position = at + 7;
            try
            {
                if (_file.ParserAt(position).ReadObject() is PdfDictionary trailer)
                {
                    _trailers.Add((at, trailer));
                }
            }
            catch (PdfSyntaxException)
            {
                // Not a trailer.
            }
        }
    }
}
