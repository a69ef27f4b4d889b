using PdfSharp.Pdf;
using PdfSharp.Pdf.Advanced;

namespace DocEngine.Core.Pdf;

/// <summary>
/// Drops the glyphs nothing draws from embedded fonts (issue 18): a PDF written with whole fonts embedded carries every
/// glyph of each (hundreds of kilobytes a font) to show a few dozen. Text stays selectable and searchable: the
/// ToUnicode maps, widths and glyph numbers are untouched; the outlines of unused glyphs go (HarfBuzz's subsetter,
/// glyph numbers kept), and in a CID font, drawn by glyph number, so do their entries in the program's own character
/// map and the glyph names. Only what can be proved unused is dropped:
/// <list type="bullet">
/// <item>TrueType programs (<c>/FontFile2</c>) under a Type 0 font over a CID font (<c>/CIDFontType2</c>, encoding
///   <c>Identity-H</c> or <c>Identity-V</c>, glyphs by identity or a <c>/CIDToGIDMap</c> stream), or under simple
///   TrueType fonts (one byte a character: every way a viewer may go from code to glyph is kept, <see cref="SimpleTrueType"/>);</item>
/// <item>used only from the resources of content the pass reads (pages, form XObjects and annotation appearances,
///   patterns, Type 3 glyphs): never a form's default fonts (<c>/AcroForm /DR</c>), which a viewer fills fields with;</item>
/// <item>with no <c>/CIDSet</c> (PDF/A-1 would then describe glyphs that are gone);</item>
/// <item>in a document whose every content stream was read: one that cannot be (an unknown filter, a font name no
///   resource gives) leaves every font whole.</item>
/// </list>
/// A string shown before the stream selects a font (a form drawn with its caller's font) counts for every font.
/// </summary>
internal static class PdfFontSubsetter
{
    /// <summary>Font programs stored in fewer bytes than this are left as they are: already subset, or too small to pay.</summary>
    private const int MinStoredBytes = 2 * 1024;

    /// <summary>What the pass did: font programs subset, and their stored bytes before and after.</summary>
    public sealed record Outcome(int Fonts, long BytesBefore, long BytesAfter);

    public static Outcome Run(PdfDocument document, CancellationToken cancellationToken)
    {
        var candidates = Candidates(document);
        if (candidates.Count == 0 || !HarfBuzzSubsetter.IsAvailable)
        {
            return new Outcome(0, 0, 0);
        }
        var graph = ObjectGraph.From(document.Internals.Catalog, cancellationToken);
        var usage = new Usage();
        if (!usage.Read(document, graph, cancellationToken))
        {
            return new Outcome(0, 0, 0);
        }

        int fonts = 0;
        long before = 0, after = 0;
        foreach (var (program, users) in candidates)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!graph.Reached(program) || !OnlyUsedBy(program, users, graph, usage) || FlateStreams.Inflate(program) is not { } plain)
            {
                continue;
            }
            var glyphs = new HashSet<uint>();
            foreach (var user in users.Where(u => graph.Reached(u.Font)))
            {
                if (user.Glyphs(plain, usage) is not { } used)
                {
                    glyphs = null;
                    break;
                }
                glyphs.UnionWith(used);
            }
            if (glyphs is null || HarfBuzzSubsetter.Subset(plain, glyphs, keepLookups: users.Any(u => u.Descendant is null)) is not { } subset)
            {
                continue;
            }
            var stored = FlateStreams.Deflate(subset);
            if (stored.Length >= program.Stream!.Value.Length)
            {
                continue;
            }
            before += program.Stream.Value.Length;
            after += stored.Length;
            fonts++;
            program.Stream.Value = stored;
            program.Elements.SetName("/Filter", "/FlateDecode");
            program.Elements.Remove("/DecodeParms");
            program.Elements.SetInteger("/Length1", subset.Length);
        }
        return new Outcome(fonts, before, after);
    }

    /// <summary>
    /// A font over an embedded TrueType program, as far as subsetting it needs: a Type 0 font over a TrueType CID font
    /// (<paramref name="Descendant"/>, with its CID-to-glyph map, null for identity), or a simple TrueType font.
    /// </summary>
    private sealed record FontUse(PdfDictionary Font, PdfDictionary? Descendant, PdfDictionary Descriptor, byte[]? CidToGid)
    {
        /// <summary>The glyph numbers what the document shows with it may draw; null when that cannot be told.</summary>
        public IEnumerable<uint>? Glyphs(byte[] program, Usage usage)
        {
            if (Descendant is null)
            {
                return SimpleTrueType.Glyphs(program, Font, usage.BytesFor(Font));
            }
            return usage.CodesFor(Font).Select(cid => CidToGid is null ? (uint)cid
                : 2 * cid + 1 < CidToGid.Length ? (uint)(CidToGid[2 * cid] << 8 | CidToGid[2 * cid + 1]) : 0u);
        }
    }

    /// <summary>Every embedded TrueType program big enough to pay, with the fonts over it, when subsetting could serve them all.</summary>
    private static Dictionary<PdfDictionary, List<FontUse>> Candidates(PdfDocument document)
    {
        var programs = new Dictionary<PdfDictionary, List<FontUse>>(ReferenceEqualityComparer.Instance);
        var spoiled = new HashSet<PdfDictionary>(ReferenceEqualityComparer.Instance);
        foreach (var font in document.Internals.GetAllObjects().OfType<PdfDictionary>())
        {
            var subtype = font.Elements.GetName("/Subtype");
            var descendant = subtype == "/Type0" && font.Elements.GetArray("/DescendantFonts") is { Elements.Count: 1 } descendants
                ? descendants.Elements.GetDictionary(0)
                : null;
            if (subtype is not ("/Type0" or "/TrueType")
                || (descendant ?? font).Elements.GetDictionary("/FontDescriptor") is not { } descriptor
                || descriptor.Elements.GetDictionary("/FontFile2") is not { Stream: not null } program
                || program.Stream.Value.Length < MinStoredBytes)
            {
                continue;
            }
            if (!programs.TryGetValue(program, out var users))
            {
                programs[program] = users = [];
            }
            if (subtype == "/TrueType")
            {
                users.Add(new FontUse(font, null, descriptor, null));
                continue;
            }
            (bool Ok, byte[]? Bytes) map = descendant?.Elements["/CIDToGIDMap"] switch
            {
                null or PdfName { Value: "/Identity" } => (true, null),
                PdfReference { Value: PdfDictionary { Stream: not null } stream } => FlateStreams.Inflate(stream) is { } bytes ? (true, bytes) : (false, null),
                _ => (false, null),
            };
            if (font.Elements.GetName("/Encoding") is "/Identity-H" or "/Identity-V" && map.Ok
                && descendant?.Elements.GetName("/Subtype") == "/CIDFontType2" && !descriptor.Elements.ContainsKey("/CIDSet"))
            {
                users.Add(new FontUse(font, descendant, descriptor, map.Bytes));
            }
            else
            {
                spoiled.Add(program);
            }
        }
        foreach (var program in spoiled)
        {
            programs.Remove(program);
        }
        return programs;
    }

    /// <summary>
    /// True when everything that points at the program, and at the fonts and descriptors over it, is one of
    /// <paramref name="users"/>, and each font is named only by resources whose content the pass read.
    /// </summary>
    private static bool OnlyUsedBy(PdfDictionary program, List<FontUse> users, ObjectGraph graph, Usage usage)
    {
        var descriptors = users.Select(u => (PdfObject)u.Descriptor).ToHashSet(ReferenceEqualityComparer.Instance);
        var overDescriptors = users.Select(u => (PdfObject)(u.Descendant ?? u.Font)).ToHashSet(ReferenceEqualityComparer.Instance);
        var arrays = users.Where(u => u.Descendant is not null)
            .Select(u => (PdfObject)u.Font.Elements.GetArray("/DescendantFonts")!).ToHashSet(ReferenceEqualityComparer.Instance);
        return graph.PointedFrom(program).All(descriptors.Contains)
            && users.All(u => graph.PointedFrom(u.Descriptor).All(overDescriptors.Contains))
            && users.All(u => u.Descendant is null || graph.PointedFrom(u.Descendant).All(arrays.Contains))
            && users.All(u => graph.PointedFrom(u.Font).All(usage.IsReadFontResources) && !usage.IsFormDefault(u.Font));
    }

    /// <summary>The objects reachable from the catalog, and for each indirect one the dictionaries and arrays that point at it.</summary>
    private sealed class ObjectGraph
    {
        private readonly Dictionary<PdfObject, List<PdfObject>> _from = new(ReferenceEqualityComparer.Instance);

        /// <summary>Every stream reached (content candidates), in the order found.</summary>
        public List<PdfDictionary> Streams { get; } = [];

        /// <summary>Every Type 3 font reached.</summary>
        public List<PdfDictionary> Type3Fonts { get; } = [];

        public static ObjectGraph From(PdfDictionary catalog, CancellationToken cancellationToken)
        {
            var graph = new ObjectGraph();
            graph._from[catalog] = [];
            var pending = new Stack<PdfObject>([catalog]);
            while (pending.TryPop(out var item))
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (item is PdfDictionary dictionary)
                {
                    if (dictionary.Stream is not null)
                    {
                        graph.Streams.Add(dictionary);
                    }
                    if (dictionary.Elements.GetName("/Subtype") == "/Type3")
                    {
                        graph.Type3Fonts.Add(dictionary);
                    }
                    foreach (var key in dictionary.Elements.Keys)
                    {
                        graph.Visit(dictionary, dictionary.Elements[key], pending);
                    }
                }
                else if (item is PdfArray array)
                {
                    foreach (var element in array.Elements)
                    {
                        graph.Visit(array, element, pending);
                    }
                }
            }
            return graph;
        }

        private void Visit(PdfObject container, PdfItem? item, Stack<PdfObject> pending)
        {
            switch (item)
            {
                case PdfReference { Value: { } target }:
                    if (_from.TryGetValue(target, out var from))
                    {
                        from.Add(container);
                    }
                    else
                    {
                        _from[target] = [container];
                        pending.Push(target);
                    }
                    break;
                case PdfDictionary or PdfArray:
                    pending.Push((PdfObject)item);
                    break;
            }
        }

        public bool Reached(PdfObject item) => _from.ContainsKey(item);

        /// <summary>The dictionaries and arrays holding a reference to <paramref name="item"/>.</summary>
        public IReadOnlyList<PdfObject> PointedFrom(PdfObject item) => _from.GetValueOrDefault(item) ?? [];
    }

    /// <summary>Which codes each font shows, read from every content stream of the document.</summary>
    private sealed class Usage
    {
        private readonly HashSet<PdfObject> _fontResources = new(ReferenceEqualityComparer.Instance);
        private readonly Dictionary<PdfObject, List<byte[]>> _shown = new(ReferenceEqualityComparer.Instance);
        private readonly List<byte[]> _everyFont = [];
        private readonly HashSet<PdfObject> _formDefaults = new(ReferenceEqualityComparer.Instance);

        public bool IsReadFontResources(PdfObject container) => _fontResources.Contains(container);

        /// <summary>True for a font of the form's default resources, which a viewer may fill any field with.</summary>
        public bool IsFormDefault(PdfObject font) => _formDefaults.Contains(font);

        /// <summary>The 2-byte codes shown with <paramref name="font"/>, and those shown before any font was selected.</summary>
        public IEnumerable<int> CodesFor(PdfDictionary font) => Pairs(_shown.GetValueOrDefault(font) ?? []).Concat(Pairs(_everyFont));

        /// <summary>The 1-byte codes shown with <paramref name="font"/>, and those shown before any font was selected.</summary>
        public IEnumerable<int> BytesFor(PdfDictionary font) => (_shown.GetValueOrDefault(font) ?? []).Concat(_everyFont).SelectMany(s => s).Select(b => (int)b).Distinct();

        /// <summary>Reads every content stream; false when one cannot be read or names a font its resources lack.</summary>
        public bool Read(PdfDocument document, ObjectGraph graph, CancellationToken cancellationToken)
        {
            if (document.Internals.Catalog.Elements.GetDictionary("/AcroForm")?.Elements.GetDictionary("/DR")?.Elements.GetDictionary("/Font") is { } defaults)
            {
                foreach (var key in defaults.Elements.Keys)
                {
                    if (Resolve(defaults, key[1..]) is { } font)
                    {
                        _formDefaults.Add(font);
                    }
                }
            }
            var read = new HashSet<PdfObject>(ReferenceEqualityComparer.Instance);
            foreach (var page in document.Pages)
            {
                var contents = new List<byte>();
                foreach (var stream in ContentStreams(page.Elements["/Contents"]))
                {
                    read.Add(stream);
                    if (FlateStreams.Inflate(stream) is not { } bytes)
                    {
                        return false;
                    }
                    contents.AddRange(bytes);
                    contents.Add((byte)'\n');
                }
                if (!Take(contents.ToArray(), Inherited(page, "/Resources"), cancellationToken))
                {
                    return false;
                }
            }
            foreach (var font in graph.Type3Fonts)
            {
                if (font.Elements.GetDictionary("/CharProcs") is not { } procedures)
                {
                    continue;
                }
                foreach (var key in procedures.Elements.Keys)
                {
                    if (procedures.Elements.GetDictionary(key) is not { Stream: not null } procedure)
                    {
                        continue;
                    }
                    read.Add(procedure);
                    if (FlateStreams.Inflate(procedure) is not { } bytes
                        || !Take(bytes, font.Elements.GetDictionary("/Resources"), cancellationToken))
                    {
                        return false;
                    }
                }
            }
            // Form XObjects (annotation appearances among them) and tiling patterns: any stream with resources, a
            // bounding box or the form subtype. Images and font programs have none of these.
            foreach (var stream in graph.Streams.Where(s => !read.Contains(s)))
            {
                var elements = stream.Elements;
                if (elements.GetName("/Subtype") is "/Image" || elements.ContainsKey("/ShadingType") || elements.ContainsKey("/FunctionType")
                    || !(elements.ContainsKey("/Resources") || elements.ContainsKey("/BBox") || elements.GetName("/Subtype") == "/Form"))
                {
                    continue;
                }
                if (FlateStreams.Inflate(stream) is not { } bytes || !Take(bytes, elements.GetDictionary("/Resources"), cancellationToken))
                {
                    return false;
                }
            }
            return true;
        }

        private static IEnumerable<PdfDictionary> ContentStreams(PdfItem? contents) => contents switch
        {
            PdfReference { Value: var value } => ContentStreams(value),
            PdfDictionary { Stream: not null } stream => [stream],
            PdfArray array => array.Elements.SelectMany(ContentStreams),
            _ => [],
        };

        private static PdfDictionary? Inherited(PdfDictionary page, string key)
        {
            for (var (node, depth) = (page, 0); node is not null && depth < 64; node = node.Elements.GetDictionary("/Parent"), depth++)
            {
                if (node.Elements.GetDictionary(key) is { } value)
                {
                    return value;
                }
            }
            return null;
        }

        /// <summary>Records what one content stream shows with which font of <paramref name="resources"/>.</summary>
        private bool Take(byte[] content, PdfDictionary? resources, CancellationToken cancellationToken)
        {
            var fonts = resources?.Elements.GetDictionary("/Font");
            if (fonts is not null)
            {
                _fontResources.Add(fonts);
            }
            var selected = new List<PdfObject>();
            var shown = new List<byte[]>();
            var beforeAnyFont = new List<byte[]>();
            var ok = ContentText.Read(content, cancellationToken, fontName =>
            {
                var font = fonts is null ? null : Resolve(fonts, fontName);
                if (font is null)
                {
                    return false;
                }
                selected.Add(font);
                return true;
            }, text => (selected.Count == 0 ? beforeAnyFont : shown).Add(text));
            if (!ok)
            {
                return false;
            }
            // Every string counts for every font the stream selects, wherever it selects it (q/Q and forms drawn from
            // here restore or inherit fonts): a glyph kept that was not needed costs bytes, one dropped costs the text.
            foreach (var font in selected.Distinct(ReferenceEqualityComparer.Instance).Cast<PdfObject>())
            {
                if (!_shown.TryGetValue(font, out var strings))
                {
                    _shown[font] = strings = [];
                }
                strings.AddRange(shown);
                strings.AddRange(beforeAnyFont);
            }
            _everyFont.AddRange(beforeAnyFont);
            return true;
        }

        private static PdfDictionary? Resolve(PdfDictionary fonts, string name) => fonts.Elements.GetDictionary("/" + name);

        private static IEnumerable<int> Pairs(List<byte[]> strings) =>
            strings.SelectMany(text => Enumerable.Range(0, text.Length / 2).Select(i => text[2 * i] << 8 | text[2 * i + 1])).Distinct();
    }
}
