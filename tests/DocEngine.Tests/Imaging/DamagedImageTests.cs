using System.Buffers.Binary;
using DocEngine.Tests.Infrastructure;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Tiff;
using SixLabors.ImageSharp.Formats.Tiff.Constants;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.PixelFormats;

namespace DocEngine.Tests.Imaging;

/// <summary>
/// Every class of incomplete or damaged image, made here from a valid file (cut short, a checksum broken, a chunk
/// after the end, a strip moved outside the file), is refused with INVALID_ARGUMENT DAMAGED_FILE and a sentence that
/// says what is missing; the valid file it came from is accepted.
/// </summary>
public sealed class DamagedImageTests
{
    public static TheoryData<string, string> Damage => new()
    {
        { "jpeg cut off in its image data", "bottom of the photo is missing" },
        { "jpeg without its end marker", "bottom of the photo is missing" },
        { "png cut short", "truncated at byte" },
        { "png with a broken IDAT checksum", "IDAT chunk at byte" },
        { "png with a chunk after IEND", "chunks after its end (IEND)" },
        { "tiff strip moved outside the file", "past the end of the file" },
        { "tiff cut off in its strip", "bottom of the page is missing" },
        { "tiff with an impossible strip size", "more than a 96 × 64 page can hold" },
        { "gif cut off in its second frame", "frame 2 stops before its end" },
        { "webp cut short", "WebP image is cut off" },
    };

    [Theory]
    [MemberData(nameof(Damage))]
    public void A_damaged_image_is_refused_with_a_sentence_saying_what_is_missing(string damage, string says)
    {
        var (valid, damaged, name) = Make(damage);
        Assert.NotNull(Pipeline.Inspect(valid, name).Image);

        var refusal = Pipeline.Refused(ErrorKind.InvalidArgument, () => Pipeline.Inspect(damaged, name), "DAMAGED_FILE");

        Assert.Contains(says, refusal.Message, StringComparison.Ordinal);
        Assert.EndsWith(".", refusal.Message);
    }

    [Fact]
    public async Task A_cut_off_jpeg_is_refused_through_a_worker_too()
    {
        var (_, damaged, name) = Make("jpeg cut off in its image data");
        using var work = new TempDirectory();
        var path = Path.Combine(work.Path, name);
        await File.WriteAllBytesAsync(path, damaged);
        await using var pool = DocEngine.Core.Workers.WorkerPool.Start(new DocEngine.Core.Workers.WorkerOptions { Count = 1, WarmUp = false }, work.Path);

        var refusal = await Assert.ThrowsAsync<DocEngineException>(() =>
            pool.RunAsync(new DocEngine.Core.Processing.InspectJob(path, name, null, new DocEngine.Core.Processing.ProcessingOptions()), CancellationToken.None));

        Assert.Equal(("DAMAGED_FILE", ErrorKind.InvalidArgument), (refusal.Reason, refusal.Kind));
    }

    private static (byte[] Valid, byte[] Damaged, string Name) Make(string damage)
    {
        switch (damage)
        {
            case "jpeg cut off in its image data":
            {
                var jpeg = Encode(i => i.SaveAsJpeg);
                return (jpeg, jpeg[..(jpeg.Length * 6 / 10)], "photo.jpg");
            }
            case "jpeg without its end marker":
            {
                var jpeg = Encode(i => i.SaveAsJpeg);
                return (jpeg, jpeg[..^2], "photo.jpg");
            }
            case "png cut short":
            {
                var png = Encode(i => i.SaveAsPng);
                return (png, png[..(png.Length - 20)], "scan.png");
            }
            case "png with a broken IDAT checksum":
            {
                var png = Encode(i => i.SaveAsPng);
                var damaged = (byte[])png.Clone();
                var idat = damaged.AsSpan().IndexOf("IDAT"u8);
                damaged[idat + 4 + BinaryPrimitives.ReadInt32BigEndian(damaged.AsSpan(idat - 4)) + 1] ^= 0x5A;
                return (png, damaged, "scan.png");
            }
            case "png with a chunk after IEND":
            {
                var png = Encode(i => i.SaveAsPng);
                var idat = png.AsSpan().IndexOf("IDAT"u8) - 4;
                var length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(idat));
                return (png, [.. png, .. png.AsSpan(idat, 12 + length)], "scan.png"); // an IDAT left behind, as a cropping editor leaves it
            }
            case "tiff strip moved outside the file" or "tiff cut off in its strip" or "tiff with an impossible strip size":
            {
                var tiff = Encode(i => (s => i.SaveAsTiff(s, new TiffEncoder { Compression = TiffCompression.None })));
                var damaged = (byte[])tiff.Clone();
                var (offsets, counts, strips) = StripTags(damaged);
                var (lastOffset, lastCount) = (offsets + (strips - 1) * 4, counts + (strips - 1) * 4);
                if (damage == "tiff strip moved outside the file")
                {
                    BinaryPrimitives.WriteUInt32LittleEndian(damaged.AsSpan(lastOffset), (uint)tiff.Length + 1000);
                    return (tiff, damaged, "scan.tif");
                }
                if (damage == "tiff with an impossible strip size")
                {
                    BinaryPrimitives.WriteUInt32LittleEndian(damaged.AsSpan(counts), 50_000_000);
                    return (tiff, [.. damaged, .. new byte[50_000_000]], "scan.tif");
                }
                var stripLength = BinaryPrimitives.ReadUInt32LittleEndian(tiff.AsSpan(lastCount));
                // Keep the directory (ImageSharp writes it after the strips): put the last strip's second half out of the file's reach.
                BinaryPrimitives.WriteUInt32LittleEndian(damaged.AsSpan(lastOffset), (uint)tiff.Length - stripLength / 2);
                return (tiff, damaged, "scan.tif");
            }
            case "gif cut off in its second frame":
            {
                using var image = Noise();
                using var second = Noise(seed: 2);
                image.Frames.AddFrame(second.Frames.RootFrame);
                using var output = new MemoryStream();
                image.SaveAsGif(output, new GifEncoder());
                var gif = output.ToArray();
                var frames = FrameStarts(gif);
                return (gif, gif[..(frames[1] + 30)], "animation.gif");
            }
            default:
            {
                var webp = Encode(i => (s => i.SaveAsWebp(s, new WebpEncoder { FileFormat = WebpFileFormatType.Lossy })));
                return (webp, webp[..(webp.Length * 7 / 10)], "photo.webp");
            }
        }
    }

    private static byte[] Encode(Func<Image, Action<Stream>> save)
    {
        using var image = Noise();
        using var output = new MemoryStream();
        save(image)(output);
        return output.ToArray();
    }

    /// <summary>A 96 × 64 picture with structure (so every codec writes real data), the same for a seed.</summary>
    private static Image<Rgb24> Noise(int seed = 1)
    {
        var random = new Random(seed);
        var image = new Image<Rgb24>(96, 64);
        for (var y = 0; y < image.Height; y++)
        {
            for (var x = 0; x < image.Width; x++)
            {
                image[x, y] = new Rgb24((byte)(x * 2 + random.Next(20)), (byte)(y * 3), (byte)random.Next(256));
            }
        }
        return image;
    }

    /// <summary>Where the LONG values of StripOffsets and StripByteCounts sit (little-endian classic TIFF), and how many strips there are.</summary>
    private static (int Offsets, int Counts, int Strips) StripTags(byte[] tiff)
    {
        var directory = (int)BinaryPrimitives.ReadUInt32LittleEndian(tiff.AsSpan(4));
        var count = BinaryPrimitives.ReadUInt16LittleEndian(tiff.AsSpan(directory));
        var (offsets, counts, strips) = (-1, -1, 0);
        for (var e = 0; e < count; e++)
        {
            var at = directory + 2 + e * 12;
            var tag = BinaryPrimitives.ReadUInt16LittleEndian(tiff.AsSpan(at));
            if (tag is not (273 or 279))
            {
                continue;
            }
            Assert.Equal(4, BinaryPrimitives.ReadUInt16LittleEndian(tiff.AsSpan(at + 2))); // LONG values
            strips = (int)BinaryPrimitives.ReadUInt32LittleEndian(tiff.AsSpan(at + 4));
            var values = strips == 1 ? at + 8 : (int)BinaryPrimitives.ReadUInt32LittleEndian(tiff.AsSpan(at + 8));
            (offsets, counts) = tag == 273 ? (values, counts) : (offsets, values);
        }
        Assert.True(offsets > 0 && counts > 0 && strips > 0);
        return (offsets, counts, strips);
    }

    /// <summary>The byte offsets of a GIF's image descriptors.</summary>
    private static List<int> FrameStarts(byte[] gif)
    {
        var starts = new List<int>();
        var i = 13 + ((gif[10] & 0x80) != 0 ? 3 << ((gif[10] & 7) + 1) : 0);
        while (i < gif.Length && gif[i] != 0x3B)
        {
            if (gif[i] == 0x2C)
            {
                starts.Add(i);
                i += 10 + ((gif[i + 9] & 0x80) != 0 ? 3 << ((gif[i + 9] & 7) + 1) : 0) + 1;
            }
            else
            {
                i += 2;
            }
            while (gif[i] != 0)
            {
                i += gif[i] + 1;
            }
            i++;
        }
        return starts;
    }
}
