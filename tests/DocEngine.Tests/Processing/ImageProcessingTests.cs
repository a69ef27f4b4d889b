using System.Buffers.Binary;
using System.IO.Hashing;
using DocEngine.Core.Processing;
using DocEngine.Tests.Infrastructure;
using ImageMagick;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.PixelFormats;
using UglyToad.PdfPig;

namespace DocEngine.Tests.Processing;

/// <summary>Normalization on files made in the test, so these run with or without ../shared.</summary>
public sealed class ImageProcessingTests
{
    [Fact]
    public void A_50000_by_50000_png_header_is_refused_before_any_pixel_buffer_is_allocated()
    {
        var bomb = PngHeaderOnly(50_000, 50_000);
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();

        var refusal = Pipeline.Refused(ErrorKind.ResourceExhausted, () => Pipeline.Inspect(bomb, "bomb.png"), "IMAGE_TOO_LARGE");

        Assert.Contains("50000 × 50000 pixels", refusal.Message, StringComparison.Ordinal);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - allocatedBefore < 4 << 20, "Refusing must not allocate pixel memory.");
        Pipeline.Refused(ErrorKind.ResourceExhausted,
            () => Pipeline.Process(new ProcessingRequest(), bomb, "bomb.png"), "IMAGE_TOO_LARGE");
    }

    [Fact]
    public void A_cmyk_jpeg_comes_out_in_the_right_srgb_colours()
    {
        var colour = new Rgb24(40, 110, 190); // a mid blue, inside the press gamut
        using var cmyk = new MagickImage(MagickColor.FromRgb(colour.R, colour.G, colour.B), 64, 64);
        cmyk.TransformColorSpace(ColorProfiles.SRGB, ColorProfiles.USWebCoatedSWOP);
        cmyk.Format = MagickFormat.Jpeg;
        cmyk.Quality = 95;
        var jpeg = cmyk.ToByteArray();
        Assert.Equal("CMYK", Pipeline.Inspect(jpeg, "card.jpg").Image!.ColorSpace);

        var (bytes, outcome) = Pipeline.Process(new ProcessingRequest(OutputFormat.Png), jpeg, "card.jpg");

        using var output = Image.Load<Rgb24>(bytes);
        // Within 20 of 255 per channel: a press profile round trip and JPEG shift colours a little, while the classic
        // mistakes (ignoring the profile, or Adobe's inverted CMYK) miss by 100 or more.
        var pixel = output[32, 32];
        Assert.InRange(pixel.R, colour.R - 20, colour.R + 20);
        Assert.InRange(pixel.G, colour.G - 20, colour.G + 20);
        Assert.InRange(pixel.B, colour.B - 20, colour.B + 20);
        Assert.Contains(outcome.Report.Actions, a => a.Contains("sRGB", StringComparison.Ordinal));
    }

    [Fact]
    public void An_animated_gif_keeps_its_first_frame_and_says_so()
    {
        using var animation = new Image<Rgba32>(40, 30, Color.Red);
        using (var second = new Image<Rgba32>(40, 30, Color.Blue))
        {
            animation.Frames.AddFrame(second.Frames.RootFrame);
        }
        using var gif = new MemoryStream();
        animation.SaveAsGif(gif, new GifEncoder());

        var (bytes, outcome) = Pipeline.Process(new ProcessingRequest(OutputFormat.Png), gif.ToArray(), "wave.gif");

        using var output = Image.Load<Rgb24>(bytes);
        Assert.Equal(new Rgb24(255, 0, 0), output[20, 15]);
        Assert.Contains(outcome.Report.Warnings, w => w.Contains("2 frames: only the first", StringComparison.Ordinal));
    }

    [Fact]
    public void Several_images_become_one_pdf_in_order_each_page_at_its_physical_size()
    {
        var letter300 = Jpeg(2550, 3300, dpi: 300, Color.White);
        var a5at150 = Jpeg(874, 1240, dpi: 150, Color.LightGray);

        var (bytes, outcome) = Pipeline.ProcessInputs(new ProcessingRequest(OutputFormat.Pdf),
            [new ProcessingInput(new MemoryStream(letter300), "page1.jpg"), new ProcessingInput(new MemoryStream(a5at150), "page2.jpg")]);

        Assert.Equal(("application/pdf", 2), (outcome.MediaType, outcome.Pages));
        using var pdf = PdfDocument.Open(bytes);
        Assert.Equal(2, pdf.NumberOfPages);
        Assert.Equal((612, 792), ((int)Math.Round(pdf.GetPage(1).Width), (int)Math.Round(pdf.GetPage(1).Height))); // 8.5 × 11 in
        Assert.Equal((420, 595), ((int)Math.Round(pdf.GetPage(2).Width), (int)Math.Round(pdf.GetPage(2).Height))); // A5
    }

    [Fact]
    public void A_multi_page_tiff_keeps_every_page_in_order_in_its_pdf_and_needs_pdf_output()
    {
        using var pages = new MagickImageCollection();
        foreach (var (colour, width) in new[] { (MagickColors.Red, 850), (MagickColors.Lime, 1100), (MagickColors.Blue, 850) })
        {
            var page = new MagickImage(colour, (uint)width, 1100) { Density = new Density(100, 100, DensityUnit.PixelsPerInch) };
            pages.Add(page);
        }
        var tiff = pages.ToByteArray(MagickFormat.Tiff);
        Assert.Equal(3, Pipeline.Inspect(tiff, "scan.tif").Image!.Frames);

        var (bytes, outcome) = Pipeline.Process(new ProcessingRequest(OutputFormat.Pdf), tiff, "scan.tif");

        Assert.Equal(3, outcome.Pages);
        using var pdf = PdfDocument.Open(bytes);
        Assert.Equal(3, pdf.NumberOfPages);
        Assert.Equal([612, 792, 612], Enumerable.Range(1, 3).Select(n => (int)Math.Round(pdf.GetPage(n).Width))); // 8.5, 11, 8.5 in at 100 dpi
        Pipeline.Refused(ErrorKind.InvalidArgument, () => Pipeline.Process(new ProcessingRequest(OutputFormat.Jpeg), tiff, "scan.tif"), "SEVERAL_PAGES_NEED_PDF");
    }

    [SkippableFact]
    public void The_corpus_three_page_300_dpi_scan_becomes_three_letter_pages()
    {
        var (bytes, outcome) = Pipeline.Process(new ProcessingRequest(OutputFormat.Pdf, TargetDpi: 150),
            CorpusManifest.File("scans", "derived__naps2-scans-300dpi-lzw.tif"));
        using var pdf = PdfDocument.Open(bytes);
        Assert.Equal(3, pdf.NumberOfPages);
        Assert.All(pdf.GetPages(), page => Assert.Equal((612, 792), ((int)Math.Round(page.Width), (int)Math.Round(page.Height))));
        Assert.True(outcome.Report.BytesAfter < outcome.Report.BytesBefore / 2);
    }

    [Fact]
    public void Downscaling_respects_the_long_edge_and_the_target_dpi_and_never_upscales()
    {
        var photo = Jpeg(4000, 3000, dpi: 300, Color.CornflowerBlue);

        var edge = Pipeline.Process(new ProcessingRequest(MaxEdge: 1600), photo, "p.jpg").Outcome;
        var dpi = Pipeline.Process(new ProcessingRequest(TargetDpi: 150), photo, "p.jpg").Outcome;
        var up = Pipeline.Process(new ProcessingRequest(MaxEdge: 9000, TargetDpi: 600), photo, "p.jpg").Outcome;

        Assert.Equal((1600, 1200), (edge.Width, edge.Height));
        Assert.Equal((2000, 1500), (dpi.Width, dpi.Height));
        Assert.Equal((4000, 3000), (up.Width, up.Height));
    }

    [Fact]
    public void Keep_chooses_png_for_line_art_and_jpeg_for_photos_and_gray_makes_a_grayscale_jpeg()
    {
        using var lineArt = new Image<Rgba32>(300, 200, Color.White);
        lineArt.ProcessPixelRows(rows =>
        {
            for (var y = 50; y < 70; y++)
            {
                rows.GetRowSpan(y)[50..150].Fill(new Rgba32(0, 0, 0));
            }
        });
        using var bmp = new MemoryStream();
        lineArt.SaveAsBmp(bmp);
        var photo = NoisyWebP();

        Assert.Equal("image/png", Pipeline.Process(new ProcessingRequest(), bmp.ToArray(), "form.bmp").Outcome.MediaType);
        Assert.Equal("image/jpeg", Pipeline.Process(new ProcessingRequest(), photo, "photo.webp").Outcome.MediaType);
        var (gray, _) = Pipeline.Process(new ProcessingRequest(OutputFormat.Jpeg, Gray: true), photo, "photo.webp");
        Assert.Equal(JpegColorType.Luminance, Image.Identify(gray).Metadata.GetJpegMetadata().ColorType);
    }

    [Fact]
    public void What_is_not_an_image_is_refused_with_its_sentence()
    {
        Pipeline.Refused(ErrorKind.InvalidArgument,
            () => Pipeline.Process(new ProcessingRequest(), "%PDF-1.4\n%%EOF"u8.ToArray(), "a.pdf"), "PDF_AMONG_IMAGES");
        Pipeline.Refused(ErrorKind.InvalidArgument,
            () => Pipeline.Process(new ProcessingRequest(), "<html><body>hi</body></html>"u8.ToArray(), "scan.jpg"), "WEB_PAGE");
        Pipeline.Refused(ErrorKind.InvalidArgument,
            () => Pipeline.Process(new ProcessingRequest(TargetDpi: 5), Jpeg(10, 10, 72, Color.Red), "a.jpg"), "INVALID_DPI");
        var truncated = Jpeg(400, 300, 72, Color.Red)[..300];
        var damaged = Pipeline.Refused(ErrorKind.InvalidArgument, () => Pipeline.Inspect(truncated, "cut.jpg"), "DAMAGED_FILE");
        Assert.StartsWith("This JPEG image ", damaged.Message, StringComparison.Ordinal);
    }

    private static byte[] Jpeg(int width, int height, double dpi, Color colour)
    {
        using var image = new Image<Rgba32>(width, height, colour);
        image.Metadata.ResolutionUnits = SixLabors.ImageSharp.Metadata.PixelResolutionUnit.PixelsPerInch;
        image.Metadata.HorizontalResolution = dpi;
        image.Metadata.VerticalResolution = dpi;
        using var output = new MemoryStream();
        image.SaveAsJpeg(output);
        return output.ToArray();
    }

    private static byte[] NoisyWebP()
    {
        using var image = new Image<Rgba32>(320, 240);
        var random = new Random(5);
        image.ProcessPixelRows(rows =>
        {
            for (var y = 0; y < rows.Height; y++)
            {
                foreach (ref var pixel in rows.GetRowSpan(y))
                {
                    pixel = new Rgba32((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256));
                }
            }
        });
        using var output = new MemoryStream();
        image.SaveAsWebp(output);
        return output.ToArray();
    }

    /// <summary>A PNG signature and a valid IHDR claiming the given size, then IEND: no pixel data at all.</summary>
    private static byte[] PngHeaderOnly(int width, int height)
    {
        using var png = new MemoryStream();
        png.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8; // bit depth
        ihdr[9] = 2; // RGB
        WriteChunk(png, "IHDR", ihdr);
        WriteChunk(png, "IEND", []);
        return png.ToArray();
    }

    private static void WriteChunk(Stream png, string type, byte[] data)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        png.Write(length);
        var typed = System.Text.Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        png.Write(typed);
        Span<byte> crc = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32.HashToUInt32(typed));
        png.Write(crc);
    }
}
