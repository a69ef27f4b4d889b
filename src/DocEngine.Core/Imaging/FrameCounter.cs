using System.Buffers.Binary;

namespace DocEngine.Core.Imaging;

/// <summary>
/// Counts frames from the container structure without decoding pixels: TIFF IFD chains (classic and BigTIFF), GIF
/// image descriptors, WebP ANMF chunks. Loops and overlong chains stop at <c>max + 1</c>, so callers can refuse them.
/// </summary>
internal static class FrameCounter
{
    /// <summary>The offsets of a TIFF's IFDs, in order; at most <paramref name="max"/> + 1 of them.</summary>
    public static IReadOnlyList<long> TiffDirectories(Stream stream, int max)
    {
        var header = Read(stream, 0, 16);
        var little = header[0] == (byte)'I';
        var big = ReadUInt16(header, 2, little) == 43;
        var offsets = new List<long>();
        var seen = new HashSet<long>();
        var next = big ? (long)ReadUInt64(header, 8, little) : ReadUInt32(header, 4, little);
        while (next > 0 && next < stream.Length && offsets.Count <= max && seen.Add(next))
        {
            offsets.Add(next);
            if (big)
            {
                var count = ReadUInt64(Read(stream, next, 8), 0, little);
                next = count > 1_000_000 ? 0 : (long)ReadUInt64(Read(stream, next + 8 + (long)count * 20, 8), 0, little);
            }
            else
            {
                var count = ReadUInt16(Read(stream, next, 2), 0, little);
                next = ReadUInt32(Read(stream, next + 2 + count * 12L, 4), 0, little);
            }
        }
        return offsets;
    }

    /// <summary>Where a TIFF's first-IFD pointer sits and how wide it is: (4, 4) classic, (8, 8) BigTIFF.</summary>
    public static (int Position, int Width, bool LittleEndian) TiffFirstDirectoryPointer(Stream stream)
    {
        var header = Read(stream, 0, 4);
        var little = header[0] == (byte)'I';
        return ReadUInt16(header, 2, little) == 43 ? (8, 8, little) : (4, 4, little);
    }

    /// <summary>The Orientation tag (274) of the TIFF's first IFD; 1 when absent.</summary>
    public static int TiffOrientation(Stream stream)
    {
        var header = Read(stream, 0, 16);
        var little = header[0] == (byte)'I';
        var big = ReadUInt16(header, 2, little) == 43;
        var directory = big ? (long)ReadUInt64(header, 8, little) : ReadUInt32(header, 4, little);
        var count = big ? (long)Math.Min(ReadUInt64(Read(stream, directory, 8), 0, little), 4096) : ReadUInt16(Read(stream, directory, 2), 0, little);
        var entries = Read(stream, directory + (big ? 8 : 2), (int)(count * (big ? 20 : 12)));
        for (var i = 0; i < count; i++)
        {
            var entry = i * (big ? 20 : 12);
            if (ReadUInt16(entries, entry, little) == 274)
            {
                return ReadUInt16(entries, entry + (big ? 12 : 8), little);
            }
        }
        return 1;
    }

    /// <summary>
    /// The number of colour components in a JPEG's frame header (SOFn): 1 gray, 3 YCbCr/RGB, 4 CMYK/YCCK. ImageSharp 2.1
    /// does not report CMYK, which must go through colour management to come out right. 0 when no SOF is found.
    /// </summary>
    public static int JpegComponents(Stream stream)
    {
        var reader = new BufferedReader(stream);
        reader.Skip(2); // SOI
        while (reader.TryByte(out var marker))
        {
            if (marker != 0xFF)
            {
                continue;
            }
            var type = reader.Byte();
            if (type is 0xFF or 0x01 or (>= 0xD0 and <= 0xD7))
            {
                continue; // fill byte or a marker without a length
            }
            var length = (reader.Byte() << 8) | reader.Byte();
            if (type is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC)
            {
                reader.Skip(5); // precision, height, width
                return reader.Byte();
            }
            if (type == 0xDA || length < 2)
            {
                return 0; // start of scan before any frame header: damaged
            }
            reader.Skip(length - 2);
        }
        return 0;
    }

    /// <summary>The number of images in a GIF, at most <paramref name="max"/> + 1.</summary>
    public static int GifFrames(Stream stream, int max)
    {
        var reader = new BufferedReader(stream);
        reader.Skip(10);
        var flags = reader.Byte();
        reader.Skip(2);
        if ((flags & 0x80) != 0)
        {
            reader.Skip(3 << ((flags & 7) + 1)); // global colour table
        }
        var frames = 0;
        while (frames <= max && reader.TryByte(out var block) && block != 0x3B)
        {
            if (block == 0x2C)
            {
                frames++;
                reader.Skip(8);
                var local = reader.Byte();
                if ((local & 0x80) != 0)
                {
                    reader.Skip(3 << ((local & 7) + 1));
                }
                reader.Skip(1); // LZW minimum code size
                reader.SkipSubBlocks();
            }
            else if (block == 0x21)
            {
                reader.Skip(1);
                reader.SkipSubBlocks();
            }
            else
            {
                break; // damaged: count what was found
            }
        }
        return Math.Max(frames, 1);
    }

    /// <summary>
    /// The TIFF-structured payload of a WebP's EXIF chunk, without the "Exif\0\0" prefix some writers (Pillow among
    /// them) put there against the spec, which ImageSharp 2.1 then fails to read; null when there is none.
    /// </summary>
    public static byte[]? WebPExif(Stream stream)
    {
        long position = 12;
        while (position + 8 <= stream.Length)
        {
            var chunk = Read(stream, position, 8);
            var size = BinaryPrimitives.ReadUInt32LittleEndian(chunk.AsSpan(4));
            if (chunk.AsSpan(0, 4).SequenceEqual("EXIF"u8) && size is > 8 and < 1 << 20)
            {
                var payload = Read(stream, position + 8, (int)size);
                return payload.AsSpan().StartsWith("Exif\0\0"u8) ? payload[6..] : payload;
            }
            position += 8 + size + (size & 1);
        }
        return null;
    }

    /// <summary>The number of frames of a WebP: its ANMF chunks when animated, else 1.</summary>
    public static int WebPFrames(Stream stream, int max)
    {
        var frames = 0;
        long position = 12;
        while (position + 8 <= stream.Length && frames <= max)
        {
            var chunk = Read(stream, position, 8);
            var size = BinaryPrimitives.ReadUInt32LittleEndian(chunk.AsSpan(4));
            if (chunk.AsSpan(0, 4).SequenceEqual("ANMF"u8))
            {
                frames++;
            }
            position += 8 + size + (size & 1);
        }
        return Math.Max(frames, 1);
    }

    private static byte[] Read(Stream stream, long position, int count)
    {
        var buffer = new byte[count];
        stream.Position = position;
        var read = stream.ReadAtLeast(buffer, count, throwOnEndOfStream: false);
        if (read < count)
        {
            throw new EndOfStreamException();
        }
        return buffer;
    }

    private static ushort ReadUInt16(byte[] data, int offset, bool little) =>
        little ? BinaryPrimitives.ReadUInt16LittleEndian(data.AsSpan(offset)) : BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(offset));

    private static uint ReadUInt32(byte[] data, int offset, bool little) =>
        little ? BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(offset)) : BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(offset));

    private static ulong ReadUInt64(byte[] data, int offset, bool little) =>
        little ? BinaryPrimitives.ReadUInt64LittleEndian(data.AsSpan(offset)) : BinaryPrimitives.ReadUInt64BigEndian(data.AsSpan(offset));

    /// <summary>Forward-only reading of GIF blocks from the start of the stream.</summary>
    private sealed class BufferedReader
    {
        private readonly BufferedStream _stream;

        public BufferedReader(Stream stream)
        {
            stream.Position = 0;
            _stream = new BufferedStream(stream, 64 << 10);
        }

        public byte Byte() => TryByte(out var value) ? value : throw new EndOfStreamException();

        public bool TryByte(out byte value)
        {
            var read = _stream.ReadByte();
            value = (byte)Math.Max(read, 0);
            return read >= 0;
        }

        public void Skip(long count) => _stream.Seek(count, SeekOrigin.Current);

        public void SkipSubBlocks()
        {
            while (TryByte(out var size) && size > 0)
            {
                Skip(size);
            }
        }
    }
}
