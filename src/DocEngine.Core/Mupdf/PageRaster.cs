using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;

namespace DocEngine.Core.Mupdf;

/// <summary>
/// One page as <c>mutool draw -F pnm -c rgb</c> writes it (a binary PPM: <c>P6 width height 255</c>, then the RGB
/// bytes), read from the renderer's stdout and written out as a PNG here. mutool's own PNG writer compresses RGB at
/// zlib's default level whatever the page; most pages are gray (scans, forms), and a gray PNG written with .NET's zlib
/// (zlib-ng) is about half of mutool's bytes in a fraction of its time (benchmarks/README.md, issue 18).
/// </summary>
internal static class PageRaster
{
    /// <summary>
    /// Reads the next page from <paramref name="stream"/> and returns it as PNG bytes; null at the end of the stream or
    /// when what comes is not a whole page (the renderer failed: its stderr says why). A page whose pixels would take
    /// more than <paramref name="maxBytes"/> is refused before they are read.
    /// </summary>
    public static async Task<byte[]?> ReadPngAsync(Stream stream, long maxBytes, CancellationToken cancellationToken)
    {
        if (await ReadHeaderAsync(stream, cancellationToken).ConfigureAwait(false) is not var (width, height, channels))
        {
            return null;
        }
        var length = (long)width * height * channels;
        if (length > maxBytes)
        {
            throw new DocEngineException(ErrorKind.ResourceExhausted, "PREVIEW_TOO_LARGE",
                $"A page preview would be {width} × {height} pixels, larger than the {maxBytes >> 20} MiB a page may take: ask for a smaller width or resolution.");
        }
        var pixels = ArrayPool<byte>.Shared.Rent((int)length);
        try
        {
            if (await stream.ReadAtLeastAsync(pixels.AsMemory(0, (int)length), (int)length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false) < length)
            {
                return null;
            }
            return Png(pixels.AsSpan(0, (int)length), width, height, channels);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(pixels);
        }
    }

    /// <summary>
    /// "P6" (RGB) or "P5" (gray), width, height and 255, separated by single whitespace characters as mutool writes
    /// them; null at the end of the stream or for anything else.
    /// </summary>
    private static async Task<(int Width, int Height, int Channels)?> ReadHeaderAsync(Stream stream, CancellationToken cancellationToken)
    {
        var fields = new List<string>(4);
        var field = new System.Text.StringBuilder();
        var one = new byte[1];
        while (fields.Count < 4)
        {
            if (await stream.ReadAsync(one, cancellationToken).ConfigureAwait(false) == 0)
            {
                return null;
            }
            var c = (char)one[0];
            if (c is ' ' or '\n' or '\r' or '\t')
            {
                if (field.Length > 0)
                {
                    fields.Add(field.ToString());
                    field.Clear();
                }
            }
            else if (field.Length < 10 && (char.IsAsciiDigit(c) || (fields.Count == 0 && c == 'P')))
            {
                field.Append(c);
            }
            else
            {
                return null;
            }
        }
        var channels = fields[0] switch { "P6" => 3, "P5" => 1, _ => 0 };
        return channels > 0 && int.TryParse(fields[1], out var width) && int.TryParse(fields[2], out var height) && fields[3] == "255" && width > 0 && height > 0
            ? (width, height, channels)
            : null;
    }

    /// <summary>
    /// An 8-bit PNG of <paramref name="pixels"/>: gray when every pixel is (R = G = B), each row unfiltered; RGB rows
    /// with the "Up" filter, which suits photos and shaded scans. zlib's default level for both.
    /// </summary>
    internal static byte[] Png(ReadOnlySpan<byte> pixels, int width, int height, int channels)
    {
        var gray = channels == 1 || IsGray(pixels);
        var stride = gray ? width : width * 3;
        using var png = new MemoryStream(pixels.Length / 4);
        png.Write([137, 80, 78, 71, 13, 10, 26, 10]);
        Span<byte> header = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header[4..], height);
        (header[8], header[9], header[10], header[11], header[12]) = (8, (byte)(gray ? 0 : 2), 0, 0, 0);
        Chunk(png, "IHDR"u8, header);
        using var data = new MemoryStream(pixels.Length / 4);
        using (var zlib = new ZLibStream(data, CompressionLevel.Optimal, leaveOpen: true))
        {
            var row = new byte[stride + 1];
            var previous = new byte[stride];
            for (var y = 0; y < height; y++)
            {
                var source = pixels.Slice(y * width * channels, width * channels);
                var current = row.AsSpan(1);
                if (gray && channels == 3)
                {
                    for (var x = 0; x < width; x++)
                    {
                        current[x] = source[x * 3];
                    }
                }
                else
                {
                    source.CopyTo(current);
                }
                if (gray)
                {
                    row[0] = 0; // None
                }
                else
                {
                    row[0] = 2; // Up: each byte less the byte above it
                    for (var x = 0; x < stride; x++)
                    {
                        (current[x], previous[x]) = ((byte)(current[x] - previous[x]), current[x]);
                    }
                }
                zlib.Write(row);
            }
        }
        Chunk(png, "IDAT"u8, data.GetBuffer().AsSpan(0, (int)data.Length));
        Chunk(png, "IEND"u8, []);
        return png.ToArray();
    }

    private static bool IsGray(ReadOnlySpan<byte> rgb)
    {
        for (var i = 0; i + 2 < rgb.Length; i += 3)
        {
            if (rgb[i] != rgb[i + 1] || rgb[i] != rgb[i + 2])
            {
                return false;
            }
        }
        return true;
    }

    private static void Chunk(Stream png, ReadOnlySpan<byte> type, ReadOnlySpan<byte> body)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, body.Length);
        png.Write(word);
        png.Write(type);
        png.Write(body);
        var crc = new Crc32();
        crc.Append(type);
        crc.Append(body);
        BinaryPrimitives.WriteUInt32BigEndian(word, crc.GetCurrentHashAsUInt32());
        png.Write(word);
    }
}
