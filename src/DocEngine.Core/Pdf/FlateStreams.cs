using System.IO.Compression;
using PdfSharp.Pdf;

namespace DocEngine.Core.Pdf;

/// <summary>Stream bytes as the lossless passes read and write them: plain or Flate only (what fonts and content use).</summary>
internal static class FlateStreams
{
    private const int MaxInflated = 256 << 20;

    /// <summary>The stream's decoded bytes, or null when it is neither plain nor plainly Flate-compressed, or broken.</summary>
    public static byte[]? Inflate(PdfDictionary stream)
    {
        if (stream.Stream is null || stream.Elements.ContainsKey("/DecodeParms"))
        {
            return null;
        }
        var filter = stream.Elements["/Filter"] switch
        {
            null => "",
            PdfName name => name.Value,
            PdfArray { Elements.Count: 0 } => "",
            PdfArray { Elements.Count: 1 } array => (array.Elements[0] as PdfName)?.Value,
            _ => null,
        };
        if (filter == "")
        {
            return stream.Stream.Value;
        }
        if (filter != "/FlateDecode")
        {
            return null;
        }
        try
        {
            using var inflater = new ZLibStream(new MemoryStream(stream.Stream.Value), CompressionMode.Decompress);
            using var inflated = new MemoryStream();
            var buffer = new byte[81920];
            int read;
            while ((read = inflater.Read(buffer)) > 0)
            {
                if (inflated.Length + read > MaxInflated)
                {
                    return null;
                }
                inflated.Write(buffer, 0, read);
            }
            return inflated.ToArray();
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            return null;
        }
    }

    /// <summary><paramref name="plain"/> deflated at zlib's smallest setting.</summary>
    public static byte[] Deflate(byte[] plain)
    {
        using var deflated = new MemoryStream();
        using (var deflater = new ZLibStream(deflated, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            deflater.Write(plain);
        }
        return deflated.ToArray();
    }
}
