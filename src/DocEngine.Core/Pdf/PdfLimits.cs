using System.Globalization;
using System.IO.Compression;
using System.IO.MemoryMappedFiles;

namespace DocEngine.Core.Pdf;

/// <summary>
/// The PDF limits, checked by one lexical pass over the file before any PDF library reads it (in the worker): nesting
/// of arrays and dictionaries (PDFsharp's parser recurses, and a 200,000-deep array overflows its stack), objects
/// (counting those packed in object streams), pages, bytes that compressed streams other than images inflate to (a
/// flate bomb), and loops in the page tree. The pass reads the bytes as a repairing reader would (object by object,
/// not through the cross-reference table), so a broken table cannot hide anything from it. Each breach is refused
/// with its own sentence.
/// </summary>
public static class PdfLimits
{
    /// <summary>Checks <paramref name="path"/> when it is a PDF; other files pass untouched.</summary>
    public static void CheckIfPdf(string path, PdfOptions options)
    {
        var head = new byte[1024];
        int read;
        using (var file = File.OpenRead(path))
        {
            read = file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        }
        if (head.AsSpan(0, read).IndexOf("%PDF-"u8) >= 0)
        {
            Check(path, options);
        }
    }

    /// <summary>Refuses a PDF over any limit of <paramref name="options"/>.</summary>
    public static unsafe void Check(string path, PdfOptions options)
    {
        var length = new FileInfo(path).Length;
        if (length == 0)
        {
            return;
        }
        using var map = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        using var view = map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
        byte* pointer = null;
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
        try
        {
            var scan = new Scan(options, pointer + view.PointerOffset);
            scan.Run(0, (int)Math.Min(length, int.MaxValue), topLevel: true);
            scan.Finish();
        }
        finally
        {
            view.SafeMemoryMappedViewHandle.ReleasePointer();
        }
    }

    private sealed unsafe class Scan(PdfOptions options, byte* start)
    {
        private readonly Dictionary<int, List<int>> _kids = [];
        private readonly HashSet<int> _pageNodes = [];
        private long _objects;
        private long _pages;
        private long _inflated;
        private byte* _data = start;

        public void Run(int from, int to, bool topLevel)
        {
            var s = new ReadOnlySpan<byte>(_data, to);
            var depth = 0;
            long previous = -1, last = -1;
            var current = -1;
            var objectStart = from;
            var i = from;
            while (i < s.Length)
            {
                var c = s[i];
                switch (c)
                {
                    case (byte)'%':
                        while (i < s.Length && s[i] is not ((byte)'\r' or (byte)'\n'))
                        {
                            i++;
                        }
                        continue;
                    case (byte)'(':
                        i = SkipString(s, i);
                        continue;
                    case (byte)'<' when i + 1 < s.Length && s[i + 1] == '<':
                    case (byte)'[':
                        depth++;
                        if (depth > options.MaxPdfNesting)
                        {
                            throw TooDeep();
                        }
                        i += c == '[' ? 1 : 2;
                        continue;
                    case (byte)'<':
                        i = s[i..].IndexOf((byte)'>') is var close and >= 0 ? i + close + 1 : s.Length;
                        continue;
                    case (byte)'>' when i + 1 < s.Length && s[i + 1] == '>':
                    case (byte)']':
                        depth = Math.Max(0, depth - 1);
                        i += c == ']' ? 1 : 2;
                        continue;
                    case (byte)'/':
                        var nameEnd = TokenEnd(s, i + 1);
                        if (topLevel)
                        {
                            Name(s, s[(i + 1)..nameEnd], nameEnd, current);
                        }
                        i = nameEnd;
                        continue;
                }
                if (IsRegular(c))
                {
                    var end = TokenEnd(s, i);
                    var token = s[i..end];
                    if (long.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
                    {
                        (previous, last) = (last, number);
                    }
                    else if (token.SequenceEqual("obj"u8))
                    {
                        current = previous is >= 0 and < int.MaxValue ? (int)previous : -1;
                        _kids.Remove(current);
                        _pageNodes.Remove(current);
                        objectStart = end;
                        depth = 0;
                        Count(1);
                    }
                    else if (token.SequenceEqual("endobj"u8))
                    {
                        depth = 0;
                    }
                    else if (topLevel && token.SequenceEqual("stream"u8))
                    {
                        end = Stream(s, objectStart, end);
                    }
                    if (token.Length > 0 && !char.IsAsciiDigit((char)token[0]))
                    {
                        (previous, last) = (-1, -1);
                    }
                    i = Math.Max(end, i + 1);
                    continue;
                }
                i++;
            }
        }

        public void Finish()
        {
            if (_pages > options.MaxPdfPages)
            {
                throw new DocEngineException(ErrorKind.ResourceExhausted, "PDF_TOO_MANY_PAGES", string.Create(CultureInfo.InvariantCulture,
                    $"This PDF has {_pages:N0} pages, more than the {options.MaxPdfPages:N0} DocEngine accepts in one file: split it into smaller files."));
            }
            // A loop in the page tree: a /Pages node that is its own descendant (depth-first, colours kept per node).
            var state = new Dictionary<int, bool>(); // false: on the path; true: done
            foreach (var root in _pageNodes)
            {
                var stack = new Stack<(int Node, int Next)>();
                if (state.ContainsKey(root))
                {
                    continue;
                }
                stack.Push((root, 0));
                state[root] = false;
                while (stack.Count > 0)
                {
                    var (node, next) = stack.Pop();
                    var kids = _kids.GetValueOrDefault(node);
                    if (kids is null || next >= kids.Count)
                    {
                        state[node] = true;
                        continue;
                    }
                    stack.Push((node, next + 1));
                    var kid = kids[next];
                    if (!_pageNodes.Contains(kid))
                    {
                        continue;
                    }
                    if (state.TryGetValue(kid, out var done))
                    {
                        if (!done)
                        {
                            throw new DocEngineException(ErrorKind.InvalidArgument, "PDF_PAGE_TREE_LOOP",
                                "This PDF's page tree loops back on itself, so its pages cannot be counted or read: open it in a PDF viewer and print it to a new PDF, then upload that.");
                        }
                        continue;
                    }
                    state[kid] = false;
                    stack.Push((kid, 0));
                }
            }
        }

        private void Name(ReadOnlySpan<byte> s, ReadOnlySpan<byte> name, int after, int current)
        {
            if (name.SequenceEqual("Type"u8))
            {
                var value = NextName(s, after);
                if (value.SequenceEqual("Page"u8))
                {
                    _pages++;
                }
                else if (value.SequenceEqual("Pages"u8) && current >= 0)
                {
                    _pageNodes.Add(current);
                }
            }
            else if (name.SequenceEqual("Kids"u8) && current >= 0)
            {
                _kids[current] = References(s, after);
            }
        }

        /// <summary>The object numbers of the references in the array that follows (bounded, so a huge array costs one pass).</summary>
        private static List<int> References(ReadOnlySpan<byte> s, int i)
        {
            var found = new List<int>();
            i = SkipSpace(s, i);
            if (i >= s.Length || s[i] != '[')
            {
                return found;
            }
            var numbers = new List<long>();
            for (i++; i < s.Length && s[i] != ']' && found.Count < 1_000_000;)
            {
                i = SkipSpace(s, i);
                if (i >= s.Length || s[i] == ']' || !IsRegular(s[i]))
                {
                    break;
                }
                var end = TokenEnd(s, i);
                if (s[i..end].SequenceEqual("R"u8) && numbers.Count >= 2 && numbers[^2] is >= 0 and < int.MaxValue)
                {
                    found.Add((int)numbers[^2]);
                    numbers.Clear();
                }
                else if (long.TryParse(s[i..end], NumberStyles.None, CultureInfo.InvariantCulture, out var n))
                {
                    numbers.Add(n);
                }
                i = end;
            }
            return found;
        }

        /// <summary>Handles a stream's data: counts an object stream's objects, inflates what is not an image, and returns where scanning resumes.</summary>
        private int Stream(ReadOnlySpan<byte> s, int objectStart, int keywordEnd)
        {
            var dataStart = keywordEnd;
            if (dataStart < s.Length && s[dataStart] == '\r')
            {
                dataStart++;
            }
            if (dataStart < s.Length && s[dataStart] == '\n')
            {
                dataStart++;
            }
            var endstream = s[dataStart..].IndexOf("endstream"u8);
            var dataEnd = endstream < 0 ? s.Length : dataStart + endstream;
            var dictionary = s[Math.Max(objectStart, keywordEnd - 8192)..keywordEnd];
            var subtype = dictionary.IndexOf("/Subtype"u8);
            if (dictionary.IndexOf("/FlateDecode"u8) < 0 || subtype >= 0 && NextName(dictionary, subtype + 8).SequenceEqual("Image"u8))
            {
                return dataEnd;
            }
            var objectStream = dictionary.IndexOf("/ObjStm"u8) >= 0;
            if (objectStream && NumberAfter(dictionary, "/N"u8) is { } packed)
            {
                Count(packed);
            }
            var inflated = Inflate(dataStart, dataEnd - dataStart, keep: objectStream);
            if (inflated is not null)
            {
                // Objects packed in an object stream nest too: scan them, with the inflated bytes as the data.
                fixed (byte* bytes = inflated)
                {
                    var saved = _data;
                    _data = bytes;
                    try
                    {
                        Run(0, inflated.Length, topLevel: false);
                    }
                    finally
                    {
                        _data = saved;
                    }
                }
            }
            return dataEnd;
        }

        private byte[]? Inflate(int offset, int length, bool keep)
        {
            using var raw = new UnmanagedMemoryStream(_data + offset, length);
            using var zlib = new ZLibStream(raw, CompressionMode.Decompress);
            using var kept = keep ? new MemoryStream() : null;
            var buffer = new byte[1 << 16];
            try
            {
                int read;
                while ((read = zlib.Read(buffer)) > 0)
                {
                    _inflated += read;
                    if (_inflated > options.MaxPdfDecompressedBytes)
                    {
                        throw new DocEngineException(ErrorKind.ResourceExhausted, "PDF_DECOMPRESSES_TOO_LARGE",
                            $"This PDF's compressed contents expand to more than {ByteSize.Describe(options.MaxPdfDecompressedBytes)}, which no real document needs (it looks like a compression bomb): print it to a new PDF and upload that.");
                    }
                    kept?.Write(buffer, 0, read);
                }
            }
            catch (Exception e) when (e is InvalidDataException or IOException)
            {
                // Damaged or not zlib after all: the readers repair or refuse it; what inflated so far is counted.
            }
            return kept?.ToArray();
        }

        private void Count(long objects)
        {
            _objects += objects;
            if (_objects > options.MaxPdfObjects)
            {
                throw new DocEngineException(ErrorKind.ResourceExhausted, "PDF_TOO_MANY_OBJECTS", string.Create(CultureInfo.InvariantCulture,
                    $"This PDF holds more than {options.MaxPdfObjects:N0} objects, far more than any real document: print it to a new PDF, or split it, and upload that."));
            }
        }

        private DocEngineException TooDeep() => new(ErrorKind.ResourceExhausted, "PDF_TOO_DEEPLY_NESTED", string.Create(CultureInfo.InvariantCulture,
            $"This PDF nests lists or dictionaries more than {options.MaxPdfNesting} deep, which no real document does: open it in a PDF viewer and print it to a new PDF, then upload that."));

        private static long? NumberAfter(ReadOnlySpan<byte> s, ReadOnlySpan<byte> key)
        {
            var at = s.IndexOf(key);
            while (at >= 0 && at + key.Length < s.Length && IsRegular(s[at + key.Length]))
            {
                var next = s[(at + 1)..].IndexOf(key);
                at = next < 0 ? -1 : at + 1 + next;
            }
            if (at < 0)
            {
                return null;
            }
            var i = SkipSpace(s, at + key.Length);
            var end = i < s.Length ? TokenEnd(s, i) : i;
            return long.TryParse(s[i..end], NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;
        }

        private static ReadOnlySpan<byte> NextName(ReadOnlySpan<byte> s, int i)
        {
            i = SkipSpace(s, i);
            return i < s.Length && s[i] == '/' ? s[(i + 1)..TokenEnd(s, i + 1)] : [];
        }

        private static int SkipString(ReadOnlySpan<byte> s, int i)
        {
            var level = 0;
            for (; i < s.Length; i++)
            {
                switch (s[i])
                {
                    case (byte)'\\':
                        i++;
                        break;
                    case (byte)'(':
                        level++;
                        break;
                    case (byte)')' when --level == 0:
                        return i + 1;
                }
            }
            return s.Length;
        }

        private static int SkipSpace(ReadOnlySpan<byte> s, int i)
        {
            while (i < s.Length && s[i] is (byte)' ' or (byte)'\r' or (byte)'\n' or (byte)'\t' or (byte)'\f' or 0)
            {
                i++;
            }
            return i;
        }

        private static int TokenEnd(ReadOnlySpan<byte> s, int i)
        {
            while (i < s.Length && IsRegular(s[i]))
            {
                i++;
            }
            return i;
        }

        private static bool IsRegular(byte c) => c is not ((byte)' ' or (byte)'\r' or (byte)'\n' or (byte)'\t' or (byte)'\f' or 0
            or (byte)'(' or (byte)')' or (byte)'<' or (byte)'>' or (byte)'[' or (byte)']' or (byte)'{' or (byte)'}' or (byte)'/' or (byte)'%');
    }
}
