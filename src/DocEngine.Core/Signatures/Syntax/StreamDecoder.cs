using System.IO.Compression;

namespace DocEngine.Core.Signatures.Syntax;

/// <summary>
/// Decodes the streams signature analysis must read itself: cross-reference streams and object streams (ISO 32000-2
/// §7.5.7–7.5.8), which are FlateDecode with optional PNG predictors. Output is counted and capped: a Flate bomb stops
/// at <see cref="MaxDecodedBytes"/>.
/// </summary>
internal static class StreamDecoder
{
    public const int MaxDecodedBytes = 64 << 20;

    public static byte[] Decode(PdfStream stream, ReadOnlySpan<byte> raw, Func<PdfObject?, PdfObject?> resolve)
    {
        var filter = resolve(stream["Filter"]);
        var parms = resolve(stream["DecodeParms"]);
        if (filter is PdfArray { Items.Count: 1 } single)
        {
            filter = resolve(single.Items[0]);
            parms = parms is PdfArray { Items.Count: 1 } p ? resolve(p.Items[0]) : parms;
        }
        return filter switch
        {
            null => raw.ToArray(),
            PdfName { Value: "FlateDecode" or "Fl" } => Unpredict(Inflate(raw), parms as PdfDictionary, resolve),
            _ => throw new PdfSyntaxException($"a cross-reference or object stream uses the filter {Describe(filter)}, which only FlateDecode may be here"),
        };
    }

    private static string Describe(PdfObject filter) => filter is PdfName name ? "/" + name.Value : "chain " + filter.GetType().Name;

    private static byte[] Inflate(ReadOnlySpan<byte> raw)
    {
        using var input = new MemoryStream(raw.ToArray(), writable: false);
        using var zlib = new ZLibStream(input, CompressionMode.Decompress);
        using var output = new MemoryStream();
        var buffer = new byte[64 << 10];
        try
        {
            int read;
            while ((read = zlib.Read(buffer)) > 0)
            {
                if (output.Length + read > MaxDecodedBytes)
                {
                    throw new PdfSyntaxException($"a compressed stream expands beyond {MaxDecodedBytes >> 20} MB");
                }
                output.Write(buffer, 0, read);
            }
        }
        catch (Exception e) when (e is InvalidDataException or IOException && output.Length > 0)
        {
            // Truncated Flate data with a usable prefix: readers keep the prefix; the parse below decides whether it is enough.
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            // zlib refuses damaged data with InvalidDataException, and some headers (a preset dictionary) with
            // ZLibException, an IOException (found by fuzzing): both are a corrupt stream.
            throw new PdfSyntaxException("a compressed cross-reference or object stream is corrupt");
        }
        return output.ToArray();
    }

    private static byte[] Unpredict(byte[] data, PdfDictionary? parms, Func<PdfObject?, PdfObject?> resolve)
    {
        var predictor = (resolve(parms?["Predictor"]) as PdfNumber)?.AsLong ?? 1;
        if (predictor < 10)
        {
            return predictor == 1 ? data : throw new PdfSyntaxException("a cross-reference stream uses a TIFF predictor, which is not supported");
        }
        var columns = (int)Math.Clamp((resolve(parms?["Columns"]) as PdfNumber)?.AsLong ?? 1, 1, 1 << 16);
        var colors = (int)Math.Clamp((resolve(parms?["Colors"]) as PdfNumber)?.AsLong ?? 1, 1, 4);
        var bits = (int)Math.Clamp((resolve(parms?["BitsPerComponent"]) as PdfNumber)?.AsLong ?? 8, 1, 16);
        var bytesPerPixel = Math.Max(1, colors * bits / 8);
        var rowLength = (columns * colors * bits + 7) / 8;
        var rows = data.Length / (rowLength + 1);
        var output = new byte[rows * rowLength];
        var previous = new byte[rowLength];
        for (var r = 0; r < rows; r++)
        {
            var type = data[r * (rowLength + 1)];
            var row = output.AsSpan(r * rowLength, rowLength);
            data.AsSpan(r * (rowLength + 1) + 1, rowLength).CopyTo(row);
            for (var i = 0; i < rowLength; i++)
            {
                int left = i >= bytesPerPixel ? row[i - bytesPerPixel] : 0, up = previous[i], upLeft = i >= bytesPerPixel ? previous[i - bytesPerPixel] : 0;
                row[i] = type switch
                {
                    0 => row[i],
                    1 => (byte)(row[i] + left),
                    2 => (byte)(row[i] + up),
                    3 => (byte)(row[i] + (left + up) / 2),
                    4 => (byte)(row[i] + Paeth(left, up, upLeft)),
                    _ => throw new PdfSyntaxException("a cross-reference stream has an unknown PNG predictor row type"),
                };
            }
            row.CopyTo(previous);
        }
        return output;
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
}
