namespace DocEngine.Core.Signatures.Syntax;

/// <summary>
/// A PDF read revision by revision (ISO 32000-2 §7.5.6 incremental updates): each revision is the set of
/// cross-reference sections up to one <c>%%EOF</c>, and any object can be read as it stood in any revision.
/// The /Prev chain is followed until it ends or loops.
/// </summary>
internal sealed class PdfFile
{
    private const int MaxSections = 4096;
    private static readonly byte[] EofMarker = "%%EOF"u8.ToArray();
    private static readonly byte[] StartXref = "startxref"u8.ToArray();

    private readonly ReadOnlyMemory<byte> _bytes;
    private readonly Dictionary<XrefEntry, PdfObject?> _objects = [];
    private readonly Dictionary<(int Number, long Offset), (byte[] Data, int[] Numbers, int[] Offsets)> _objectStreams = [];
    private readonly CancellationToken _cancellationToken;
    private Signatures.PdfEncryption? _encryption;

    private PdfFile(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        _bytes = bytes;
        _cancellationToken = cancellationToken;
        EofEnds = FindEofEnds(bytes.Span);
        Revisions = ReadRevisions();
    }

    public ReadOnlySpan<byte> Span => _bytes.Span;

    public ReadOnlyMemory<byte> Memory => _bytes;

    public long Length => _bytes.Length;

    /// <summary>Oldest first. The last one is what a reader shows.</summary>
    public IReadOnlyList<Revision> Revisions { get; } = null!;

    /// <summary>Every place a revision may end: just after each <c>%%EOF</c>, and after the end-of-line that follows it.</summary>
    public IReadOnlyList<(long Marker, long WithEol)> EofEnds { get; }

    public int Last => Revisions.Count - 1;

    public static PdfFile Open(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken) => new(bytes, cancellationToken);

    public PdfParser ParserAt(long offset) => new(_bytes) { Position = (int)offset };

    /// <summary>The object <paramref name="number"/> as it stood in <paramref name="revision"/>, or null when absent or freed.</summary>
    public PdfObject? Get(int number, int revision) => Locate(number, revision) is { } entry ? Load(number, entry) : null;

    /// <summary>Follows a reference (if <paramref name="value"/> is one) in <paramref name="revision"/>.</summary>
    public PdfObject? Resolve(PdfObject? value, int revision) => value is PdfReference r ? Get(r.Number, revision) : value;

    /// <summary>Where <paramref name="number"/> lives in <paramref name="revision"/>.</summary>
    public XrefEntry? Locate(int number, int revision)
    {
        for (var i = Math.Min(revision, Last); i >= 0; i--)
        {
            if (Revisions[i].Entries.TryGetValue(number, out var entry))
            {
                return entry.Kind == XrefKind.Free ? null : entry;
            }
        }
        return null;
    }

    /// <summary>Reads "N G obj … endobj" at <paramref name="offset"/>, with its stream when it has one.</summary>
    public PdfObject ReadObjectAt(long offset, int expectedNumber)
    {
        var parser = ParserAt(offset);
        if (parser.TryReadInteger() != expectedNumber || parser.TryReadInteger() is null || !parser.TryKeyword("obj"))
        {
            throw new PdfSyntaxException($"the cross-reference says object {expectedNumber} is at byte {offset}, but it is not there");
        }
        var value = parser.ReadObject();
        if (value is not PdfDictionary dictionary || !parser.TryKeyword("stream"))
        {
            return value;
        }
        var span = Span;
        var start = parser.Position;
        if (start < span.Length && span[start] == '\r')
        {
            start++;
        }
        if (start < span.Length && span[start] == '\n')
        {
            start++;
        }
        // While the cross-references are still being read (an xref stream), only a direct /Length can be used.
        var lengthValue = Revisions is null ? dictionary["Length"] : Resolve(dictionary["Length"], Last);
        var length = (lengthValue as PdfNumber)?.AsLong;
        if (length is null || length < 0 || start + length > span.Length || !EndstreamAt(start + length.Value))
        {
            var end = span[start..].IndexOf("endstream"u8);
            if (end < 0)
            {
                throw new PdfSyntaxException($"the stream of object {expectedNumber} has no end");
            }
            length = end;
        }
        return new PdfStream(dictionary, start, length.Value);
    }

    private bool EndstreamAt(long position)
    {
        var parser = ParserAt(position);
        return parser.TryKeyword("endstream");
    }

    private PdfObject? Load(int number, XrefEntry entry)
    {
        _cancellationToken.ThrowIfCancellationRequested();
        if (_objects.TryGetValue(entry, out var cached))
        {
            return cached;
        }
        _objects[entry] = null; // a reference cycle through /Length or an object stream reads as null, not forever
        var value = entry.Kind == XrefKind.InFile ? ReadObjectAt(entry.Offset, number) : ReadFromObjectStream(number, entry);
        if (entry.Kind == XrefKind.InFile && _encryption is not null && value is not null)
        {
            // Strings inside object streams were decrypted with their stream (§7.6.2).
            _encryption.DecryptStrings(value, number, entry.Generation);
        }
        _objects[entry] = value;
        return value;
    }

    private PdfObject? ReadFromObjectStream(int number, XrefEntry entry)
    {
        var host = Locate(entry.StreamNumber, Last);
        if (host is not { Kind: XrefKind.InFile } hostEntry)
        {
            throw new PdfSyntaxException($"object {number} is said to be in object stream {entry.StreamNumber}, which does not exist");
        }
        if (!_objectStreams.TryGetValue((entry.StreamNumber, hostEntry.Offset), out var decoded))
        {
            if (Load(entry.StreamNumber, hostEntry) is not PdfStream stream || stream.Name("Type") != "ObjStm")
            {
                throw new PdfSyntaxException($"object {entry.StreamNumber} is not an object stream");
            }
            var raw = _encryption is null ? stream.Data(Span).ToArray() : _encryption.DecryptStream(stream.Data(Span), entry.StreamNumber, hostEntry.Generation);
            var data = StreamDecoder.Decode(stream, raw, v => Resolve(v, Last));
            var count = (int)Math.Clamp((stream["N"] as PdfNumber)?.AsLong ?? 0, 0, 1_000_000);
            var first = (int)((stream["First"] as PdfNumber)?.AsLong ?? -1);
            var header = new PdfParser(data, positionsAreFileOffsets: false);
            var numbers = new int[count];
            var offsets = new int[count];
            for (var i = 0; i < count; i++)
            {
                numbers[i] = (int)(header.TryReadInteger() ?? -1);
                offsets[i] = (int)(header.TryReadInteger() ?? -1);
            }
            decoded = (data, numbers, offsets);
            _objectStreams[(entry.StreamNumber, hostEntry.Offset)] = decoded;
            if (first < 0 || first > data.Length)
            {
                throw new PdfSyntaxException($"object stream {entry.StreamNumber} has no valid /First");
            }
            for (var i = 0; i < count; i++)
            {
                offsets[i] = offsets[i] < 0 ? -1 : offsets[i] + first;
            }
        }
        var (bytes, objectNumbers, objectOffsets) = decoded;
        if (entry.IndexInStream >= objectNumbers.Length || objectNumbers[entry.IndexInStream] != number
            || objectOffsets[entry.IndexInStream] < 0 || objectOffsets[entry.IndexInStream] >= bytes.Length)
        {
            throw new PdfSyntaxException($"object {number} is not where the cross-reference says in object stream {entry.StreamNumber}");
        }
        return new PdfParser(bytes, positionsAreFileOffsets: false) { Position = objectOffsets[entry.IndexInStream] }.ReadObject();
    }

    private List<Revision> ReadRevisions()
    {
        var span = Span;
        var marker = span.LastIndexOf(StartXref);
        if (marker < 0)
        {
            throw new PdfSyntaxException("the file has no 'startxref', so its revisions cannot be told apart");
        }
        var parser = ParserAt(marker + StartXref.Length);
        var offset = parser.TryReadInteger() ?? throw new PdfSyntaxException("'startxref' is not followed by an offset");
        // Newest first along /Prev, stopping at a loop (§7.5.6 does not allow one).
        var chain = new List<XrefSection>();
        var seen = new HashSet<long>();
        long? next = offset;
        while (next is { } at && seen.Add(at))
        {
            _cancellationToken.ThrowIfCancellationRequested();
            if (chain.Count >= MaxSections)
            {
                throw new PdfSyntaxException($"the file has more than {MaxSections} cross-reference sections");
            }
            var section = CrossReference.Read(this, at);
            chain.Add(section);
            next = (section.Trailer["Prev"] as PdfNumber)?.AsLong;
        }
        LoopDetected = next is not null;
        // A /Prev pointing forward in the file is a linearized file's first-page section: it belongs with the one it names.
        var groups = new List<List<XrefSection>>();
        foreach (var section in chain)
        {
            if (groups.Count > 0 && section.Offset > groups[^1][^1].Offset)
            {
                groups[^1].Add(section);
            }
            else
            {
                groups.Add([section]);
            }
        }
        groups.Reverse();
        var revisions = new List<Revision>();
        foreach (var group in groups)
        {
            var entries = new Dictionary<int, XrefEntry>();
            // Within a group the section read first (newest) wins.
            foreach (var section in group)
            {
                foreach (var (number, entry) in section.Entries)
                {
                    entries.TryAdd(number, entry);
                }
            }
            var end = group.Max(s => EndAfter(s.Offset));
            revisions.Add(new Revision(revisions.Count, group[0].Trailer, entries, end, group[0].Offset));
        }
        return revisions;
    }

    /// <summary>Decryption for an encrypted file, once unlocked; objects read before that (the /Encrypt dictionary) stay as written.</summary>
    public Signatures.PdfEncryption? Encryption
    {
        get => _encryption;
        set
        {
            _encryption = value;
            _objects.Clear();
            _objectStreams.Clear();
        }
    }

    /// <summary>Whether the /Prev chain looped (reading stopped at the repeat).</summary>
    public bool LoopDetected { get; private set; }

    private long EndAfter(long offset)
    {
        foreach (var (markerEnd, withEol) in EofEnds)
        {
            if (markerEnd > offset)
            {
                return withEol;
            }
        }
        return Length;
    }

    private static List<(long, long)> FindEofEnds(ReadOnlySpan<byte> span)
    {
        var ends = new List<(long, long)>();
        var from = 0;
        while (true)
        {
            var at = span[from..].IndexOf(EofMarker);
            if (at < 0)
            {
                return ends;
            }
            var end = from + at + EofMarker.Length;
            var withEol = end;
            if (withEol < span.Length && span[withEol] == '\r')
            {
                withEol++;
            }
            if (withEol < span.Length && span[withEol] == '\n')
            {
                withEol++;
            }
            ends.Add((end, withEol));
            from = end;
        }
    }
}

/// <summary>One revision: its trailer, the objects its sections define, and where it ends in the file.</summary>
internal sealed record Revision(int Index, PdfDictionary Trailer, Dictionary<int, XrefEntry> Entries, long End, long XrefOffset);
