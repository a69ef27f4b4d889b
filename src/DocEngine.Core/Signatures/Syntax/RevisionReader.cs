namespace DocEngine.Core.Signatures.Syntax;

/// <summary>
/// Finds a file's revisions. Each <c>%%EOF</c> preceded by its own <c>startxref</c> is a candidate: the revision is what a
/// reader of the file cut there shows, read from that <c>startxref</c> along /Prev without looking past the cut (ISO
/// 32000-2 §7.5.5–7.5.6). The last revision is what readers show: the last <c>startxref</c> in the file. When the
/// cross-reference data of the last revision, or of a revision a signature ends at, cannot be read, that revision is
/// rebuilt by scanning the file up to its end (<see cref="ObjectScan"/>), as qpdf, MuPDF and poppler do. A candidate
/// that neither a reader nor a signature uses (a <c>%%EOF</c> inside an embedded file, say) is not a revision.
/// </summary>
internal sealed class RevisionReader(PdfFile file)
{
    private const int MaxSections = 4096;
    private static readonly byte[] EofMarker = "%%EOF"u8.ToArray();
    private static readonly byte[] StartXref = "startxref"u8.ToArray();
    private readonly Dictionary<long, XrefSection> _sections = [];

    public List<Revision> Read()
    {
        var span = file.Span;
        var candidates = new List<(long Marker, long End, int StartXrefAt)>();
        long segmentStart = 0;
        foreach (var (marker, withEol) in file.EofEnds)
        {
            var at = span[(int)segmentStart..(int)(marker - EofMarker.Length)].LastIndexOf(StartXref);
            if (at >= 0)
            {
                candidates.Add((marker, withEol, (int)segmentStart + at));
            }
            segmentStart = marker;
        }
        // Readers take the last startxref in the file even when no %%EOF follows it.
        var last = span.LastIndexOf(StartXref);
        if (last >= segmentStart && last >= 0)
        {
            candidates.Add((file.Length, file.Length, last));
        }
        var signedEnds = SignedEnds(file.Memory);
        var revisions = new List<Revision>();
        string? finalProblem = candidates.Count == 0 ? "it has no 'startxref'" : null;
        for (var i = 0; i < candidates.Count; i++)
        {
            file.CancellationToken.ThrowIfCancellationRequested();
            var (marker, end, at) = candidates[i];
            var isFinal = i == candidates.Count - 1;
            try
            {
                var offset = file.ParserAt(at + StartXref.Length).TryReadInteger() ?? throw new PdfSyntaxException("'startxref' is not followed by an offset");
                var chain = Chain(offset, marker);
                if (isFinal && (chain[0].Trailer["Root"] is not PdfReference root || !Lists(chain, root.Number)))
                {
                    throw new PdfSyntaxException("its last trailer names no document catalog (/Root) that its cross-reference data lists");
                }
                revisions.Add(Revision.Read(marker, end, offset, chain));
            }
            catch (PdfSyntaxException e) when (isFinal)
            {
                finalProblem = e.Message;
            }
            catch (PdfSyntaxException e) when (signedEnds.Contains(marker) || signedEnds.Contains(end))
            {
                // A signature ends here: what it signs is this revision, however damaged its cross-reference data.
                revisions.Add(Rebuild(marker, end, e.Message));
            }
            catch (PdfSyntaxException)
            {
                // Not a revision anyone reads.
            }
        }
        if (finalProblem is not null)
        {
            var marker = file.EofEnds.Count > 0 && file.EofEnds[^1].WithEol == file.Length ? file.EofEnds[^1].Marker : file.Length;
            revisions.RemoveAll(r => r.End >= marker);
            revisions.Add(Rebuild(marker, file.Length, finalProblem));
        }
        for (var i = 0; i < revisions.Count; i++)
        {
            revisions[i].Index = i;
        }
        return revisions;
    }

    /// <summary>Every place a revision may end: just after each <c>%%EOF</c>, and after the end-of-line that follows it.</summary>
    public static List<(long, long)> FindEofEnds(ReadOnlySpan<byte> span)
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

    /// <summary>The cross-reference sections from <paramref name="offset"/> along /Prev, newest first, none at or past <paramref name="limit"/>.</summary>
    private List<XrefSection> Chain(long offset, long limit)
    {
        var chain = new List<XrefSection>();
        var seen = new HashSet<long>();
        long? next = offset;
        // A /Prev loop ends the chain at the repeat (§7.5.6 allows none; readers stop there too).
        while (next is { } at && seen.Add(at))
        {
            file.CancellationToken.ThrowIfCancellationRequested();
            if (chain.Count >= MaxSections)
            {
                throw new PdfSyntaxException($"the file has more than {MaxSections} cross-reference sections");
            }
            if (at >= limit)
            {
                throw new PdfSyntaxException($"a cross-reference offset ({at}) points past the end of its revision");
            }
            var section = Section(at);
            if ((section.Trailer["XRefStm"] as PdfNumber)?.AsLong >= limit)
            {
                throw new PdfSyntaxException("a hybrid cross-reference stream lies past the end of its revision");
            }
            chain.Add(section);
            next = (section.Trailer["Prev"] as PdfNumber)?.AsLong;
        }
        return chain;
    }

    /// <summary>Whether the newest section of <paramref name="chain"/> that lists <paramref name="number"/> has it in use.</summary>
    private static bool Lists(List<XrefSection> chain, int number)
    {
        foreach (var section in chain)
        {
            if (section.Entries.TryGetValue(number, out var entry))
            {
                return entry.Kind != XrefKind.Free;
            }
        }
        return false;
    }

    private XrefSection Section(long offset)
    {
        if (!_sections.TryGetValue(offset, out var section))
        {
            _sections[offset] = section = CrossReference.Read(file, offset);
        }
        return section;
    }

    private Revision Rebuild(long marker, long end, string problem)
    {
        var scan = file.Scan;
        var trailer = scan.TrailerBefore(end) ?? throw new PdfSyntaxException($"{problem}, and no document catalog can be found in it");
        file.AddRepair(CmsSentence($"This file's cross-reference data is damaged ({problem}); DocEngine rebuilt it by scanning the file for objects, as PDF readers do"));
        return Revision.Rebuilt(marker, end, trailer, () => scan.TableBefore(end));
    }

    /// <summary>Where signatures say their signed bytes end: c + d of every literal <c>/ByteRange [a b c d]</c> in the file.</summary>
    private static HashSet<long> SignedEnds(ReadOnlyMemory<byte> bytes)
    {
        var span = bytes.Span;
        var ends = new HashSet<long>();
        var key = "/ByteRange"u8;
        var from = 0;
        while (from < span.Length && ends.Count < 1000)
        {
            var at = span[from..].IndexOf(key);
            if (at < 0)
            {
                break;
            }
            from += at + key.Length;
            var parser = new PdfParser(bytes.Slice(from, Math.Min(200, span.Length - from)), positionsAreFileOffsets: false);
            try
            {
                if (parser.ReadObject() is PdfArray { Items: [PdfNumber, PdfNumber, PdfNumber { AsLong: { } c }, PdfNumber { AsLong: { } d }] })
                {
                    ends.Add(c + d);
                }
            }
            catch (PdfSyntaxException)
            {
                // Not a usable byte range.
            }
        }
        return ends;
    }

    private static string CmsSentence(string text) => text.TrimEnd('.') + ".";
}
