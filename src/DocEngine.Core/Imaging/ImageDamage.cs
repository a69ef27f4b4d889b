using System.Buffers.Binary;
using System.Globalization;
using System.IO.Hashing;
using DocEngine.Core.Detection;

namespace DocEngine.Core.Imaging;

/// <summary>
/// Finds images that decoders would accept with parts missing (a grey band where a JPEG was cut off, a TIFF page
/// whose strips lie outside the file) by walking the container structure before decoding: JPEG markers and scan data
/// up to the end marker, PNG chunks with their checksums up to IEND and nothing chunk-like after it, TIFF strips and
/// tiles inside the file at plausible sizes, GIF frames and WebP chunks whole. Each finding is
/// <c>INVALID_ARGUMENT DAMAGED_FILE</c> with a sentence that says what is missing.
/// </summary>
public static class ImageDamage
{
    /// <summary>Files above this are not read whole for the check (their decoders still refuse what they cannot read).</summary>
    private const long MaxChecked = 512L << 20;

    /// <summary>Refuses <paramref name="stream"/> when its structure shows it is incomplete or damaged.</summary>
    public static void Check(Stream stream, DocumentKind kind)
    {
        if (kind is not (DocumentKind.Jpeg or DocumentKind.Png or DocumentKind.Gif or DocumentKind.WebP or DocumentKind.Tiff) || stream.Length > MaxChecked)
        {
            return;
        }
        var bytes = new byte[stream.Length];
        stream.Position = 0;
        stream.ReadExactly(bytes);
        stream.Position = 0;
        string? problem;
        try
        {
            problem = kind switch
            {
                DocumentKind.Jpeg => Jpeg(bytes),
                DocumentKind.Png => Png(bytes),
                DocumentKind.Gif => Gif(bytes),
                DocumentKind.WebP => WebP(bytes),
                _ => Tiff(bytes),
            };
        }
        catch (Exception e) when (e is EndOfStreamException or ArgumentOutOfRangeException or IndexOutOfRangeException or OverflowException)
        {
            // A pointer or length that leads outside the file (found by fuzzing: a TIFF page list ending past the end).
            problem = $"This {kind.ToString().ToUpperInvariant().Replace("WEBP", "WebP", StringComparison.Ordinal)} image is damaged: its structure points past the end of the file, so part of it is missing: save or export it again and upload the new file.";
        }
        if (problem is not null)
        {
            throw new DocEngineException(ErrorKind.InvalidArgument, "DAMAGED_FILE", problem);
        }
    }

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>JPEG (ITU T.81 §B.1): segments, then each scan's entropy-coded data, up to EOI.</summary>
    internal static string? Jpeg(byte[] b)
    {
        const string Again = "take the photo or scan again, or export it again, and upload the whole file.";
        var i = 2;
        while (true)
        {
            while (i < b.Length && b[i] == 0xFF && i + 1 < b.Length && b[i + 1] == 0xFF)
            {
                i++; // fill bytes
            }
            if (i + 1 >= b.Length)
            {
                return $"This JPEG image is cut off: the file ends at byte {N(b.Length)} before its end marker, so part of the picture is missing: {Again}";
            }
            if (b[i] != 0xFF)
            {
                // Stray bytes between segments: decoders skip to the next marker (libjpeg's "extraneous bytes"), and so do we.
                var next = b.AsSpan(i).IndexOf((byte)0xFF);
                if (next < 0)
                {
                    return $"This JPEG image is cut off: the file ends at byte {N(b.Length)} before its end marker, so part of the picture is missing: {Again}";
                }
                i += next;
                continue;
            }
            var marker = b[i + 1];
            i += 2;
            if (marker == 0xD9)
            {
                return null; // EOI: whole; anything after it is not part of the picture
            }
            if (marker is 0x01 or (>= 0xD0 and <= 0xD7))
            {
                continue;
            }
            if (i + 2 > b.Length || i + BinaryPrimitives.ReadUInt16BigEndian(b.AsSpan(i)) > b.Length)
            {
                return $"This JPEG image is damaged: it ends inside its headers, after {N(b.Length)} bytes, so the picture itself is missing: {Again}";
            }
            i += BinaryPrimitives.ReadUInt16BigEndian(b.AsSpan(i));
            if (marker != 0xDA)
            {
                continue;
            }
            // Entropy-coded data: ends at the first 0xFF followed by neither 0x00 (a stuffed byte) nor a restart marker.
            while (true)
            {
                var next = b.AsSpan(i).IndexOf((byte)0xFF);
                if (next < 0 || i + next + 1 >= b.Length)
                {
                    return $"This JPEG image is cut off: its image data stops at byte {N(b.Length)} before the picture is complete, so the bottom of the photo is missing (a grey band where it should be): {Again}";
                }
                i += next;
                var after = b[i + 1];
                if (after == 0x00 || after is >= 0xD0 and <= 0xD7 || after == 0xFF)
                {
                    i += after == 0xFF ? 1 : 2;
                    continue;
                }
                break;
            }
        }
    }

    /// <summary>PNG (ISO 15948 §5): chunk lengths inside the file, CRCs of the critical chunks, IEND, and no chunk after it.</summary>
    internal static string? Png(byte[] b)
    {
        const string Again = "export or save it as PNG again and upload the new file.";
        var i = 8;
        while (true)
        {
            if (i + 12 > b.Length)
            {
                return $"This PNG image is truncated at byte {N(b.Length)}: the end of its image is missing, so part of the picture cannot be shown: {Again}";
            }
            var length = BinaryPrimitives.ReadUInt32BigEndian(b.AsSpan(i));
            var type = System.Text.Encoding.ASCII.GetString(b, i + 4, 4);
            if (length > int.MaxValue || i + 12L + length > b.Length)
            {
                return $"This PNG image is truncated at byte {N(b.Length)}: its {type} chunk needs {N(length)} bytes the file does not have, so part of the picture is missing: {Again}";
            }
            var critical = type is "IHDR" or "PLTE" or "IDAT" or "IEND";
            if (critical && Crc32.HashToUInt32(b.AsSpan(i + 4, 4 + (int)length)) != BinaryPrimitives.ReadUInt32BigEndian(b.AsSpan(i + 8 + (int)length)))
            {
                return $"This PNG image is damaged: its {type} chunk at byte {N(i)} fails its checksum, so its pixels cannot be trusted: {Again}";
            }
            i += 12 + (int)length;
            if (type != "IEND")
            {
                continue;
            }
            // Bytes after IEND that form a chunk (for example image data left behind by an editor that cropped in place).
            if (i + 8 <= b.Length && b.AsSpan(i + 4, 4).IndexOfAnyExceptInRange((byte)'A', (byte)'z') < 0)
            {
                return $"This PNG image has chunks after its end (IEND) at byte {N(i)}: it was saved incompletely, or an editor left hidden data behind, so it may not show what you expect: {Again}";
            }
            return null;
        }
    }

    /// <summary>GIF (GIF89a §§17–27): every block whole; a frame cut short is damage, a missing trailer after whole frames is not.</summary>
    internal static string? Gif(byte[] b)
    {
        const string Again = "save or export it again and upload the whole file.";
        if (b.Length < 13)
        {
            return $"This GIF image is cut off in its header: {Again}";
        }
        var i = 13 + ((b[10] & 0x80) != 0 ? 3 << ((b[10] & 7) + 1) : 0);
        var frame = 0;
        while (i < b.Length)
        {
            switch (b[i])
            {
                case 0x3B:
                    return null;
                case 0x21:
                    if (SkipSubBlocks(b, i + 2) is not { } afterExtension)
                    {
                        return $"This GIF image is cut off at byte {N(b.Length)}, inside the data after frame {frame}: {Again}";
                    }
                    i = afterExtension;
                    break;
                case 0x2C:
                    frame++;
                    if (i + 10 > b.Length)
                    {
                        return $"This GIF image is cut off at byte {N(b.Length)}: frame {frame} is missing its pixels: {Again}";
                    }
                    var local = (b[i + 9] & 0x80) != 0 ? 3 << ((b[i + 9] & 7) + 1) : 0;
                    if (SkipSubBlocks(b, i + 10 + local + 1) is not { } afterImage)
                    {
                        return $"This GIF image is cut off at byte {N(b.Length)}: frame {frame} stops before its end, so part of it is missing: {Again}";
                    }
                    i = afterImage;
                    break;
                default:
                    return frame > 0 ? null : $"This GIF image is damaged at byte {N(i)}, before its first frame: {Again}";
            }
        }
        return frame > 0 ? null : $"This GIF image is cut off before its first frame: {Again}";
    }

    private static int? SkipSubBlocks(byte[] b, int i)
    {
        while (i < b.Length)
        {
            var size = b[i];
            if (size == 0)
            {
                return i + 1;
            }
            i += size + 1;
        }
        return null;
    }

    /// <summary>WebP (RIFF): the container's size and every chunk (frames of an animation included) inside the file.</summary>
    internal static string? WebP(byte[] b)
    {
        const string Again = "save or export it again and upload the whole file.";
        if (b.Length < 12 || 8L + BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(4)) > b.Length)
        {
            return $"This WebP image is cut off at byte {N(b.Length)}: the file says it has {N(b.Length < 8 ? 0 : 8L + BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(4)))} bytes, so part of the picture is missing: {Again}";
        }
        var end = 8 + (int)BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(4));
        for (var i = 12; i + 8 <= end;)
        {
            var size = BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(i + 4));
            var type = System.Text.Encoding.ASCII.GetString(b, i, 4);
            if (i + 8L + size > end)
            {
                return $"This WebP image is cut off: its {type.Trim()} {(type == "ANMF" ? "frame" : "chunk")} at byte {N(i)} needs {N(size)} bytes the file does not have: {Again}";
            }
            i += 8 + (int)size + (int)(size & 1);
        }
        return null;
    }

    /// <summary>TIFF (6.0 §§2, 8, 15): every strip or tile of every page inside the file, no larger than the page could need.</summary>
    internal static string? Tiff(byte[] b)
    {
        const string Again = "scan or export it again and upload the new file.";
        if (b.Length < 16)
        {
            return $"This TIFF image is cut off in its header: {Again}";
        }
        using var stream = new MemoryStream(b, writable: false);
        var little = b[0] == 'I';
        var big = Read16(b, 2, little) == 43;
        var page = 0;
        foreach (var directory in FrameCounter.TiffDirectories(stream, 10_000))
        {
            page++;
            var tags = Tags(b, directory, little, big);
            if (tags is null)
            {
                return $"This TIFF image is damaged: the description of page {page} lies outside the file: {Again}";
            }
            var width = First(tags, 256);
            var height = First(tags, 257);
            var samples = First(tags, 277) ?? 1;
            var bits = tags.TryGetValue(258, out var b2) && b2.Count > 0 ? b2.Sum() : 1;
            var offsets = tags.GetValueOrDefault(273) ?? tags.GetValueOrDefault(324);
            var counts = tags.GetValueOrDefault(279) ?? tags.GetValueOrDefault(325);
            if (offsets is null || offsets.Count == 0)
            {
                continue; // no strips of its own (JPEG-in-TIFF variants, or a page decoders refuse themselves)
            }
            if (counts is null || counts.Count < offsets.Count)
            {
                return $"This TIFF image is damaged: page {page} does not say how long its image data is: {Again}";
            }
            // Uncompressed size of the page, times two for codecs that can expand noise, plus room for headers.
            var plausible = width is { } w && height is { } h ? (long)w * h * Math.Max(bits, samples) / 8 * 2 + (1 << 20) : long.MaxValue;
            long total = 0;
            for (var s = 0; s < offsets.Count; s++)
            {
                if (offsets[s] + counts[s] > b.Length)
                {
                    return offsets[s] >= b.Length
                        ? $"This TIFF image is cut off: part {s + 1} of page {page}'s image data should start at byte {N(offsets[s])}, past the end of the file ({N(b.Length)} bytes), so that part of the page is missing: {Again}"
                        : $"This TIFF image is cut off: page {page}'s image data runs to byte {N(offsets[s] + counts[s])}, past the end of the file ({N(b.Length)} bytes), so the bottom of the page is missing: {Again}";
                }
                total += counts[s];
            }
            if (total > plausible)
            {
                return $"This TIFF image is damaged: page {page} says its image data is {N(total)} bytes, more than a {width} × {height} page can hold: {Again}";
            }
        }
        return null;
    }

    private static long? First(Dictionary<int, List<long>> tags, int tag) => tags.TryGetValue(tag, out var values) && values.Count > 0 ? values[0] : null;

    /// <summary>The numeric tags of one IFD (values read where they are stored); null when the IFD lies outside the file.</summary>
    private static Dictionary<int, List<long>>? Tags(byte[] b, long directory, bool little, bool big)
    {
        var entrySize = big ? 20 : 12;
        if (directory + (big ? 8 : 2) > b.Length)
        {
            return null;
        }
        var count = big ? (long)Read64(b, (int)directory, little) : Read16(b, (int)directory, little);
        var first = directory + (big ? 8 : 2);
        if (count > 4096 || first + count * entrySize > b.Length)
        {
            return null;
        }
        var tags = new Dictionary<int, List<long>>();
        for (var e = 0; e < count; e++)
        {
            var at = (int)(first + e * entrySize);
            var tag = Read16(b, at, little);
            if (tag is not (256 or 257 or 258 or 273 or 277 or 279 or 324 or 325))
            {
                continue;
            }
            var type = Read16(b, at + 2, little);
            var n = big ? (long)Read64(b, at + 4, little) : Read32(b, at + 4, little);
            var size = type switch { 3 => 2, 4 => 4, 16 => 8, _ => 0 };
            if (size == 0 || n > 1_000_000)
            {
                continue;
            }
            var inline = n * size <= (big ? 8 : 4);
            long where = inline ? at + (big ? 12 : 8) : big ? (long)Read64(b, at + 12, little) : Read32(b, at + 8, little);
            if (where + n * size > b.Length)
            {
                return null;
            }
            var values = new List<long>((int)n);
            for (var v = 0; v < n; v++)
            {
                var p = (int)(where + v * size);
                values.Add(size switch { 2 => Read16(b, p, little), 4 => Read32(b, p, little), _ => (long)Math.Min(Read64(b, p, little), long.MaxValue / 4) });
            }
            tags[tag] = values;
        }
        return tags;
    }

    private static ushort Read16(byte[] b, int at, bool little) =>
        little ? BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(at)) : BinaryPrimitives.ReadUInt16BigEndian(b.AsSpan(at));

    private static uint Read32(byte[] b, int at, bool little) =>
        little ? BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(at)) : BinaryPrimitives.ReadUInt32BigEndian(b.AsSpan(at));

    private static ulong Read64(byte[] b, int at, bool little) =>
        little ? BinaryPrimitives.ReadUInt64LittleEndian(b.AsSpan(at)) : BinaryPrimitives.ReadUInt64BigEndian(b.AsSpan(at));
}
