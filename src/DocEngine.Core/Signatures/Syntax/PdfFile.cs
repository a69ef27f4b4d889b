namespace DocEngine.Core.Signatures.Syntax;

/// <summary>
/// A PDF read revision by revision (ISO 32000-2 §7.5.6 incremental updates). Each revision is what a reader of the file
/// cut at one <c>%%EOF</c> shows: its own <c>startxref</c> and the /Prev chain from there (<see cref="Revisions"/>), so
/// a later section cannot change how an earlier, signed revision is read. Any object can be read as it stood in any
/// revision. When the cross-reference data a reader would use is damaged, the revision is rebuilt by scanning the file
/// for objects, as qpdf, MuPDF and poppler do, and <see cref="Repairs"/> says so.
/// </summary>
internal sealed class PdfFile
{
    private readonly ReadOnlyMemory<byte> _bytes;
    private readonly Dictionary<(XrefEntry Entry, long HostOffset), PdfObject?> _objects = [];
    private readonly Dictionary<(long Offset, long Length), PdfStream> _streams = [];
    private readonly Dictionary<(int Number, long Offset), (byte[] Data, int[] Numbers, int[] Offsets)> _objectStreams = [];
    private readonly List<string> _repairs = [];
    private readonly CancellationToken _cancellationToken;
    private ObjectScan? _scan;
    private Signatures.PdfEncryption? _encryption;

    private PdfFile(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        _bytes = bytes;
        _cancellationToken = cancellationToken;
        EofEnds = RevisionReader.FindEofEnds(bytes.Span);
        Revisions = new RevisionReader(this).Read();
    }

    public ReadOnlySpan<byte> Span => _bytes.Span;

    public ReadOnlyMemory<byte> Memory => _bytes;

    public long Length => _bytes.Length;

    /// <summary>Oldest first. The last one is what a reader shows.</summary>
    public IReadOnlyList<Revision> Revisions { get; }

    /// <summary>Every place a revision may end: just after each <c>%%EOF</c>, and after the end-of-line that follows it.</summary>
    public IReadOnlyList<(long Marker, long WithEol)> EofEnds { get; }

    public int Last => Revisions.Count - 1;

    /// <summary>Damage worked around while reading, one sentence each (empty for a sound file).</summary>
    public IReadOnlyList<string> Repairs => _repairs;

    internal CancellationToken CancellationToken => _cancellationToken;

    /// <summary>Every object header, trailer and object stream in the file; scanned once, on first need.</summary>
    internal ObjectScan Scan => _scan ??= ObjectScan.Run(this);

    public static PdfFile Open(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken) => new(bytes, cancellationToken);

    public PdfParser ParserAt(long offset) => new(_bytes) { Position = (int)offset };

    internal void AddRepair(string sentence)
    {
        if (_repairs.Count < 20 && !_repairs.Contains(sentence))
        {
            _repairs.Add(sentence);
        }
    }

    /// <summary>The object <paramref name="number"/> as it stood in <paramref name="revision"/>, or null when absent or freed.</summary>
    public PdfObject? Get(int number, int revision) => Locate(number, revision) is { } entry ? Load(number, entry, revision) : null;

    /// <summary>Follows a reference (if <paramref name="value"/> is one) in <paramref name="revision"/>.</summary>
    public PdfObject? Resolve(PdfObject? value, int revision) => value is PdfReference r ? Get(r.Number, revision) : value;

    /// <summary>
    /// Where <paramref name="number"/> lives in <paramref name="revision"/>; null when free, undefined, or placed beyond
    /// the revision's end (a reader of the file cut there would not find it).
    /// </summary>
    public XrefEntry? Locate(int number, int revision)
    {
        var view = Revisions[Math.Clamp(revision, 0, Last)];
        if (view.Find(number) is not { } entry || entry.Kind == XrefKind.Free)
        {
            return null;
        }
        return entry.Kind == XrefKind.InFile && entry.Offset >= view.End ? null : entry;
    }

    /// <summary>
    /// Where an object's bytes really are in <paramref name="revision"/>: its offset, or for an object inside an object
    /// stream the offset of that stream, so two revisions that give the same entry but different hosts differ.
    /// </summary>
    public (XrefEntry Entry, long HostOffset)? Position(int number, int revision)
    {
        if (Locate(number, revision) is not { } entry)
        {
            return null;
        }
        if (entry.Kind == XrefKind.InFile)
        {
            return (entry, entry.Offset);
        }
        return Locate(entry.StreamNumber, revision) is { Kind: XrefKind.InFile } host ? (entry, host.Offset) : (entry, -1);
    }

    /// <summary>Reads "N G obj … endobj" at <paramref name="offset"/>, with its stream when it has one (its /Length resolved in <paramref name="revision"/>).</summary>
    public PdfObject ReadObjectAt(long offset, int expectedNumber, int? revision = null)
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
        var start = StreamStart(parser.Position);
        // While cross-references are still being read (an xref stream), only a direct /Length can be used; later the
        // /Length is read in the same revision as the stream, so a later revision cannot re-cut an earlier stream.
        var lengthValue = revision is { } r ? Resolve(dictionary["Length"], r) : dictionary["Length"];
        var length = (lengthValue as PdfNumber)?.AsLong;
        if (length is null || length < 0 || start + length > Length || !ParserAt(start + length.Value).TryKeyword("endstream"))
        {
            var end = Span[(int)start..].IndexOf("endstream"u8);
            if (end < 0)
            {
                throw new PdfSyntaxException($"the stream of object {expectedNumber} has no end");
            }
            length = end;
        }
        if (!_streams.TryGetValue((start, length.Value), out var stream))
        {
            _streams[(start, length.Value)] = stream = new PdfStream(dictionary, start, length.Value);
        }
        return stream;
    }

    /// <summary>Where stream data starts after the <c>stream</c> keyword (CR LF or LF, §7.3.8.1).</summary>
    internal long StreamStart(long position)
    {
        var span = Span;
        if (position < span.Length && span[(int)position] == '\r')
        {
            position++;
        }
        if (position < span.Length && span[(int)position] == '\n')
        {
            position++;
        }
        return position;
    }

    private PdfObject? Load(int number, XrefEntry entry, int revision)
    {
        _cancellationToken.ThrowIfCancellationRequested();
        var key = (entry, entry.Kind == XrefKind.InFile ? entry.Offset : Position(number, revision)?.HostOffset ?? -1);
        if (_objects.TryGetValue(key, out var cached))
        {
            return cached is PdfStream { Dictionary: var dictionary } stream && dictionary["Length"] is PdfReference ? Recut(stream, revision) : cached;
        }
        _objects[key] = null; // a reference cycle through /Length or an object stream reads as null, not forever
        try
        {
            var value = entry.Kind == XrefKind.InFile ? ReadInFile(number, entry, revision) : ReadFromObjectStream(number, entry, revision);
            _objects[key] = value;
            return value;
        }
        catch
        {
            _objects.Remove(key); // unreadable stays unreadable: the next reader gets the same error, not a silent null
            throw;
        }
    }

    /// <summary>A stream whose /Length is indirect, cut with that length as it stands in <paramref name="revision"/>.</summary>
    private PdfStream Recut(PdfStream stream, int revision)
    {
        var length = (Resolve(stream.Dictionary["Length"], revision) as PdfNumber)?.AsLong;
        if (length == stream.DataLength || length is null || length < 0 || stream.DataStart + length > Length
            || !ParserAt(stream.DataStart + length.Value).TryKeyword("endstream"))
        {
            return stream; // the length that was valid when the stream was first read (or the search for endstream) stands
        }
        if (!_streams.TryGetValue((stream.DataStart, length.Value), out var recut))
        {
            _streams[(stream.DataStart, length.Value)] = recut = new PdfStream(stream.Dictionary, stream.DataStart, length.Value);
        }
        return recut;
    }

    private PdfObject? ReadInFile(int number, XrefEntry entry, int revision)
    {
        PdfObject? value;
        var generation = entry.Generation;
        try
        {
            value = ReadObjectAt(entry.Offset, number, revision);
        }
        catch (PdfSyntaxException) when (Scan.LatestBefore(number, Revisions[revision].End) is { } found)
        {
            // Readers look for a misplaced object by its header; so do we, within what this revision could see.
            AddRepair($"Object {number} is not where the cross-reference data says; DocEngine found it by scanning the file, as PDF readers do.");
            value = ReadObjectAt(found.Offset, number, revision);
            generation = found.Generation;
        }
        if (_encryption is not null && value is not null)
        {
            // Strings inside object streams were decrypted with their stream (§7.6.2).
            _encryption.DecryptStrings(value, number, generation);
        }
        return value;
    }

    private PdfObject? ReadFromObjectStream(int number, XrefEntry entry, int revision)
    {
        var host = Locate(entry.StreamNumber, revision);
        if (host is not { Kind: XrefKind.InFile } hostEntry)
        {
            throw new PdfSyntaxException($"object {number} is said to be in object stream {entry.StreamNumber}, which does not exist");
        }
        var (bytes, objectNumbers, objectOffsets) = ObjectStream(entry.StreamNumber, hostEntry, revision);
        if (entry.IndexInStream >= objectNumbers.Length || objectNumbers[entry.IndexInStream] != number
            || objectOffsets[entry.IndexInStream] < 0 || objectOffsets[entry.IndexInStream] >= bytes.Length)
        {
            throw new PdfSyntaxException($"object {number} is not where the cross-reference says in object stream {entry.StreamNumber}");
        }
        return new PdfParser(bytes, positionsAreFileOffsets: false) { Position = objectOffsets[entry.IndexInStream] }.ReadObject();
    }

    /// <summary>An object stream's decoded data with the numbers and offsets of the objects inside (§7.5.7).</summary>
    internal (byte[] Data, int[] Numbers, int[] Offsets) ObjectStream(int streamNumber, XrefEntry hostEntry, int revision)
    {
        if (_objectStreams.TryGetValue((streamNumber, hostEntry.Offset), out var decoded))
        {
            return decoded;
        }
        if (Load(streamNumber, hostEntry, revision) is not PdfStream stream || stream.Name("Type") != "ObjStm")
        {
            throw new PdfSyntaxException($"object {streamNumber} is not an object stream");
        }
        var raw = _encryption is null ? stream.Data(Span).ToArray() : _encryption.DecryptStream(stream.Data(Span), streamNumber, hostEntry.Generation);
        var data = StreamDecoder.Decode(stream, raw, v => Resolve(v, revision));
        var count = (int)Math.Clamp((stream["N"] as PdfNumber)?.AsLong ?? 0, 0, 1_000_000);
        var first = (int)((stream["First"] as PdfNumber)?.AsLong ?? -1);
        if (first < 0 || first > data.Length)
        {
            throw new PdfSyntaxException($"object stream {streamNumber} has no valid /First");
        }
        var header = new PdfParser(data, positionsAreFileOffsets: false);
        var numbers = new int[count];
        var offsets = new int[count];
        for (var i = 0; i < count; i++)
        {
            numbers[i] = (int)(header.TryReadInteger() ?? -1);
            var offset = header.TryReadInteger() ?? -1;
            offsets[i] = offset < 0 || offset > int.MaxValue - first ? -1 : (int)offset + first;
        }
        decoded = (data, numbers, offsets);
        _objectStreams[(streamNumber, hostEntry.Offset)] = decoded;
        return decoded;
    }

    /// <summary>
    /// The decoded data of the stream <paramref name="value"/> refers to in <paramref name="revision"/> (decrypted when the
    /// file is encrypted; unfiltered or FlateDecode only); null when it is not a stream that can be read.
    /// </summary>
    public byte[]? StreamBytes(PdfObject? value, int revision)
    {
        try
        {
            if (Resolve(value, revision) is not PdfStream stream)
            {
                return null;
            }
            var raw = stream.Data(Span);
            var data = _encryption is not null && value is PdfReference r && Locate(r.Number, revision) is { Kind: XrefKind.InFile } entry
                ? _encryption.DecryptStream(raw, r.Number, entry.Generation)
                : raw.ToArray();
            return StreamDecoder.Decode(stream, data, v => Resolve(v, revision));
        }
        catch (PdfSyntaxException)
        {
            return null;
        }
    }

    /// <summary>Decryption for an encrypted file, once unlocked; objects read before that (the /Encrypt dictionary) stay as written.</summary>
    public Signatures.PdfEncryption? Encryption
    {
        get => _encryption;
        set
        {
            _encryption = value;
            _objects.Clear();
            _streams.Clear();
            _objectStreams.Clear();
            foreach (var revision in Revisions)
            {
                revision.Forget(); // a rebuilt table lists the objects inside object streams, which are encrypted too
            }
        }
    }

    /// <summary>
    /// The object numbers whose location differs between <paramref name="revision"/> and the one before: what that
    /// update wrote or freed, the objects inside an object stream it rewrote, and (when it does not build on the
    /// revision before, or either was rebuilt by scanning) every number the two read differently.
    /// </summary>
    public IEnumerable<int> ChangedIn(int revision)
    {
        var before = Revisions[revision - 1];
        var after = Revisions[revision];
        if (!after.ContinuesFrom(before))
        {
            return after.AllNumbers().Union(before.AllNumbers()).Where(n => Position(n, revision) != Position(n, revision - 1)).Order().ToList();
        }
        var own = after.OwnNumbers(before).ToHashSet();
        var changed = own.Where(n => Position(n, revision) != Position(n, revision - 1)).ToHashSet();
        // An object stream rewritten in place changes every object inside it, though the update lists none of them.
        foreach (var number in before.AllNumbers())
        {
            if (!own.Contains(number) && before.Find(number) is { Kind: XrefKind.InObjectStream } entry && changed.Contains(entry.StreamNumber))
            {
                changed.Add(number);
            }
        }
        return changed.Order().ToList();
    }
}

/// <summary>One revision: its trailer, where it ends, and the cross-reference sections a reader of the file cut there follows.</summary>
internal sealed class Revision
{
    private readonly IReadOnlyList<XrefSection> _chain;
    private readonly Func<Dictionary<int, XrefEntry>>? _rebuild;
    private Dictionary<int, XrefEntry>? _rebuilt;

    private Revision(long marker, long end, PdfDictionary trailer, long xrefOffset, IReadOnlyList<XrefSection> chain, Func<Dictionary<int, XrefEntry>>? rebuild)
    {
        Marker = marker;
        End = end;
        Trailer = trailer;
        XrefOffset = xrefOffset;
        _chain = chain;
        _rebuild = rebuild;
    }

    /// <summary>Position in <see cref="PdfFile.Revisions"/>.</summary>
    public int Index { get; internal set; }

    /// <summary>Just after this revision's <c>%%EOF</c>.</summary>
    public long Marker { get; }

    /// <summary>Just after this revision's <c>%%EOF</c> and the end-of-line that follows it.</summary>
    public long End { get; }

    public PdfDictionary Trailer { get; }

    /// <summary>The offset its <c>startxref</c> names; -1 when rebuilt by scanning.</summary>
    public long XrefOffset { get; }

    /// <summary>Rebuilt by scanning for objects because its cross-reference data could not be read.</summary>
    public bool Reconstructed => _rebuild is not null;

    /// <summary>Object numbers that its cross-reference data defines twice with different locations (readers disagree on which they show).</summary>
    public IEnumerable<int> Conflicts => _chain.SelectMany(s => s.Conflicts);

    public static Revision Read(long marker, long end, long xrefOffset, IReadOnlyList<XrefSection> chain) =>
        new(marker, end, chain[0].Trailer, xrefOffset, chain, null);

    public static Revision Rebuilt(long marker, long end, PdfDictionary trailer, Func<Dictionary<int, XrefEntry>> entries) =>
        new(marker, end, trailer, -1, [], entries);

    /// <summary>Drops a rebuilt object table so it is rebuilt on next use.</summary>
    internal void Forget() => _rebuilt = null;

    /// <summary>The entry for <paramref name="number"/>: the newest section that lists it wins (§7.5.6).</summary>
    public XrefEntry? Find(int number)
    {
        if (_rebuild is not null)
        {
            return (_rebuilt ??= _rebuild()).TryGetValue(number, out var rebuilt) ? rebuilt : null;
        }
        foreach (var section in _chain)
        {
            if (section.Entries.TryGetValue(number, out var entry))
            {
                return entry;
            }
        }
        return null;
    }

    /// <summary>Whether this revision's sections are the earlier revision's plus new ones in front: an ordinary incremental update.</summary>
    public bool ContinuesFrom(Revision earlier)
    {
        if (Reconstructed || earlier.Reconstructed || _chain.Count <= earlier._chain.Count)
        {
            return false;
        }
        var offset = _chain.Count - earlier._chain.Count;
        for (var i = 0; i < earlier._chain.Count; i++)
        {
            if (!ReferenceEquals(_chain[offset + i], earlier._chain[i]))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>The numbers listed by the sections this revision adds to <paramref name="earlier"/> (see <see cref="ContinuesFrom"/>).</summary>
    public IEnumerable<int> OwnNumbers(Revision earlier) =>
        _chain.Take(_chain.Count - earlier._chain.Count).SelectMany(s => s.Entries.Keys).Distinct();

    public IEnumerable<int> AllNumbers() =>
        _rebuild is not null ? (_rebuilt ??= _rebuild()).Keys : _chain.SelectMany(s => s.Entries.Keys).Distinct();
}
