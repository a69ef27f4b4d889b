using System.IO.Compression;
using System.Text;

namespace DocEngine.Tests.Infrastructure;

/// <summary>
/// The classic hostile documents, made in the test: PDFs nested 200,000 deep (through arrays or dictionaries), a flate
/// bomb, a page tree that loops, a 100,000-page tree; and images carrying the workers' test-fault marker.
/// </summary>
public static class HostileFiles
{
    /// <summary>A one-page PDF whose page dictionary holds an array nested <paramref name="depth"/> deep (the issue's 400 KB file).</summary>
    public static byte[] NestedArrayPdf(int depth = 200_000) =>
        Pdf(["<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            $"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Nested {new string('[', depth)}{new string(']', depth)} >>"]);

    /// <summary>The same, nested through dictionaries.</summary>
    public static byte[] NestedDictionaryPdf(int depth = 200_000) =>
        Pdf(["<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            $"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Nested {Repeat("<< /A ", depth)}1{Repeat(" >>", depth)} >>"]);

    /// <summary>A one-page PDF whose content stream inflates to <paramref name="inflatedBytes"/> (spaces: a valid, empty page).</summary>
    public static byte[] FlateBombPdf(long inflatedBytes)
    {
        using var deflated = new MemoryStream();
        using (var zlib = new ZLibStream(deflated, CompressionLevel.Fastest, leaveOpen: true))
        {
            var block = new byte[1 << 20];
            Array.Fill(block, (byte)' ');
            for (long written = 0; written < inflatedBytes; written += block.Length)
            {
                zlib.Write(block, 0, (int)Math.Min(block.Length, inflatedBytes - written));
            }
        }
        return Pdf(["<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>"],
            (4, $"<< /Length {deflated.Length} /Filter /FlateDecode >>", deflated.ToArray()));
    }

    /// <summary>A PDF whose page tree loops: the root's kid is a /Pages node whose kid is the root.</summary>
    public static byte[] PageTreeLoopPdf() =>
        Pdf(["<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>", "<< /Type /Pages /Kids [2 0 R] /Parent 2 0 R /Count 1 >>"]);

    /// <summary>A PDF with <paramref name="pages"/> empty pages in one flat tree.</summary>
    public static byte[] ManyPagesPdf(int pages)
    {
        var kids = string.Join(" ", Enumerable.Range(3, pages).Select(n => $"{n} 0 R"));
        return Pdf(["<< /Type /Catalog /Pages 2 0 R >>", $"<< /Type /Pages /Kids [{kids}] /Count {pages} >>",
            .. Enumerable.Range(0, pages).Select(_ => "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>")]);
    }

    /// <summary>A small valid PNG that carries the test-fault marker in a text chunk: with test faults on, a worker reading it does <paramref name="fault"/>.</summary>
    public static byte[] FaultPng(string fault)
    {
        byte[] png;
        using (var image = new SixLabors.ImageSharp.Image<SixLabors.ImageSharp.PixelFormats.Rgb24>(8, 8))
        using (var encoded = new MemoryStream())
        {
            SixLabors.ImageSharp.ImageExtensions.SaveAsPng(image, encoded);
            png = encoded.ToArray();
        }
        var text = Encoding.ASCII.GetBytes("Comment\0DOCENGINE-TEST-FAULT:" + fault);
        var chunk = new byte[12 + text.Length];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(chunk, text.Length);
        "tEXt"u8.CopyTo(chunk.AsSpan(4));
        text.CopyTo(chunk, 8);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + text.Length), System.IO.Hashing.Crc32.HashToUInt32(chunk.AsSpan(4, 4 + text.Length)));
        return [.. png.AsSpan(0, 33), .. chunk, .. png.AsSpan(33)]; // after the signature and IHDR
    }

    private static string Repeat(string text, int count) => new StringBuilder(text.Length * count).Insert(0, text, count).ToString();

    /// <summary>A PDF of the given objects (numbered from 1) with a correct cross-reference table, plus one stream object.</summary>
    private static byte[] Pdf(IReadOnlyList<string> objects, (int Number, string Dictionary, byte[] Data)? stream = null)
    {
        using var pdf = new MemoryStream();
        void Write(string text) => pdf.Write(Encoding.Latin1.GetBytes(text));
        Write("%PDF-1.7\n%\u00e2\u00e3\u00cf\u00d3\n");
        var offsets = new List<long>();
        for (var i = 0; i < objects.Count; i++)
        {
            offsets.Add(pdf.Position);
            Write($"{i + 1} 0 obj\n{objects[i]}\nendobj\n");
        }
        if (stream is { } s)
        {
            offsets.Add(pdf.Position);
            Write($"{s.Number} 0 obj\n{s.Dictionary}\nstream\n");
            pdf.Write(s.Data);
            Write("\nendstream\nendobj\n");
        }
        var xref = pdf.Position;
        Write($"xref\n0 {offsets.Count + 1}\n0000000000 65535 f \n");
        foreach (var offset in offsets)
        {
            Write($"{offset:D10} 00000 n \n");
        }
        Write($"trailer\n<< /Size {offsets.Count + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n");
        return pdf.ToArray();
    }
}
