using System.Globalization;
using DocEngine.Core.Imaging;
using PdfSharp.Pdf;
using PdfSharp.Pdf.Advanced;
using PdfSharp.Pdf.Filters;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace DocEngine.Core.Pdf;

/// <summary>
/// The image pass: each image XObject is decoded, downsampled to the target resolution of its sharpest use on the page
/// (never upsampled), turned gray when it is gray in effect, and re-encoded as JPEG; the original stays whenever the new
/// stream is not smaller. Bilevel, CCITT, JBIG2 and JPEG 2000 images, masked images and unusual colour spaces are left
/// exactly as they are.
/// </summary>
internal static class PdfImageRecompressor
{
    /// <summary>What happened to one image, as a person reads it.</summary>
    /// <param name="Page">First page it appears on.</param>
    /// <param name="BytesBefore">Its stream's size before.</param>
    /// <param name="BytesAfter">Its stream's size after (the same when kept).</param>
    /// <param name="Sentence">What was done and why.</param>
    /// <param name="Copies">How many image objects had these same bytes (a merged packet repeats its parts' images); done once for all.</param>
    /// <param name="Scalable">A colour or gray image: its bytes follow the resolution and JPEG quality of the pass (bilevel and kept images do not).</param>
    public sealed record Outcome(int Page, long BytesBefore, long BytesAfter, string Sentence, int Copies = 1, bool Scalable = false);

    /// <summary>
    /// Results kept across the passes of one compression: the ladder tries several resolutions and qualities, and an
    /// image whose result does not depend on the step (black-and-white images, and every image's refusals) is worked on once.
    /// </summary>
    public sealed class Memo
    {
        internal System.Collections.Concurrent.ConcurrentDictionary<string, (Change? Change, Outcome Outcome)> Results { get; } = new(StringComparer.Ordinal);
    }

    /// <summary>How one pass treats images.</summary>
    /// <param name="Dpi">Colour and gray images are brought down to this resolution (never up).</param>
    /// <param name="Quality">Their JPEG quality.</param>
    /// <param name="BilevelDpi">Black-and-white images above this resolution are brought down to it, as CCITT Group 4.</param>
    /// <param name="Gray">Make every colour image gray.</param>
    /// <param name="MinBilevelSimilarity">A bilevel image brought down must stay at least this alike (SSIM at 100 dpi), or it keeps its resolution.</param>
    public sealed record Settings(int Dpi, int Quality, int BilevelDpi, bool Gray, double MinBilevelSimilarity);

    /// <summary>
    /// Recompresses every image drawn in <paramref name="document"/>. Identical images (same stream, same dictionary) are
    /// worked on once; the work runs on up to <paramref name="parallelism"/> threads, and the document is changed on the
    /// calling thread afterwards (PDFsharp's objects are not thread-safe).
    /// </summary>
    public static List<Outcome> Run(PdfDocument document, Settings settings, ImagingConfiguration imaging, int parallelism, Memo memo, CancellationToken cancellationToken)
    {
        var groups = ImagePlacements.Find(document)
            .GroupBy(p => Fingerprint(p.Image))
            .Select(g => new Job(g.Key, g.OrderBy(p => p.FirstPage).ToList()))
            .OrderBy(j => j.FirstPage)
            .ToList();
        foreach (var job in groups)
        {
            job.Prepare(); // reads PDFsharp objects (palettes may need decoding): one thread
        }
        var results = new Change?[groups.Count];
        var outcomes = new Outcome[groups.Count];
        try
        {
            Parallel.For(0, groups.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallelism), CancellationToken = cancellationToken }, i =>
            {
                var job = groups[i];
                (results[i], outcomes[i]) = memo.Results.GetOrAdd(job.Key(settings), _ => job.Recompress(settings, imaging));
            });
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerExceptions[0]); // as if it ran on this thread
        }
        for (var i = 0; i < groups.Count; i++)
        {
            if (results[i] is { } change)
            {
                foreach (var placement in groups[i].Placements)
                {
                    change.Apply(placement.Image);
                }
            }
        }
        return [.. outcomes];
    }

    /// <summary>Equal for image objects a merge would make one: the same stream bytes and the same dictionary values.</summary>
    private static string Fingerprint(PdfDictionary image)
    {
        var keys = string.Join(";", image.Elements.Keys.Order(StringComparer.Ordinal).Select(k => k + "=" + image.Elements[k]));
        return keys + "#" + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(image.Stream?.Value ?? []));
    }

    /// <summary>A new stream for an image, and the dictionary entries that describe it.</summary>
    internal sealed record Change(byte[] Stream, int Width, int Height, int BitsPerComponent, string? ColourSpace, bool Group4)
    {
        public void Apply(PdfDictionary image)
        {
            image.Stream.Value = Stream;
            image.Elements.SetInteger("/Width", Width);
            image.Elements.SetInteger("/Height", Height);
            image.Elements.SetInteger("/BitsPerComponent", BitsPerComponent);
            if (ColourSpace is not null)
            {
                image.Elements.SetName("/ColorSpace", ColourSpace);
            }
            if (Group4)
            {
                image.Elements.SetName("/Filter", "/CCITTFaxDecode");
                var parameters = new PdfDictionary();
                parameters.Elements.SetInteger("/K", -1);
                parameters.Elements.SetInteger("/Columns", Width);
                parameters.Elements.SetInteger("/Rows", Height);
                image.Elements["/DecodeParms"] = parameters;
            }
            else
            {
                image.Elements.SetName("/Filter", "/DCTDecode");
                image.Elements.Remove("/DecodeParms");
            }
        }
    }

    /// <summary>One distinct image, with every placement that draws it (or an identical copy of it).</summary>
    private sealed class Job(string fingerprint, List<ImagePlacements.Placement> placements)
    {
        public List<ImagePlacements.Placement> Placements { get; } = placements;

        /// <summary>What the result depends on: the image, where it is drawn, and the settings its kind obeys.</summary>
        public string Key(Settings settings) => string.Create(CultureInfo.InvariantCulture, $"{fingerprint}|{Dpi:0.###}|") + (_bits == 1 || _imageMask
            ? string.Create(CultureInfo.InvariantCulture, $"bilevel {settings.BilevelDpi} {settings.MinBilevelSimilarity}")
            : string.Create(CultureInfo.InvariantCulture, $"jpeg {settings.Dpi} {settings.Quality} {settings.Gray}"));
        public int FirstPage => Placements[0].FirstPage;

        private PdfDictionary Image => Placements[0].Image;
        private double Dpi => Placements.Min(p => p.Dpi);
        private byte[] _encoded = [];
        private int _width, _height, _bits;
        private List<string> _filters = [];
        private PdfItem? _filter, _parameters;
        private ColourSpace? _colours;
        private bool _mask, _imageMask, _decode, _blackIs1;
        private int _k;
        private bool _grayName;

        public void Prepare()
        {
            var image = Image;
            _encoded = image.Stream?.Value ?? [];
            (_width, _height) = (image.Elements.GetInteger("/Width"), image.Elements.GetInteger("/Height"));
            _bits = image.Elements.GetInteger("/BitsPerComponent");
            _filter = image.Elements["/Filter"];
            _filters = FilterNames(_filter);
            _parameters = image.Elements["/DecodeParms"] is PdfReference reference ? reference.Value : image.Elements["/DecodeParms"];
            _imageMask = image.Elements.GetBoolean("/ImageMask");
            _mask = image.Elements["/Mask"] is not null || image.Elements["/SMask"] is not null;
            _decode = image.Elements["/Decode"] is not null;
            var colourSpace = image.Elements["/ColorSpace"];
            _grayName = (colourSpace is PdfReference r ? r.Value : colourSpace) is PdfName { Value: "/DeviceGray" or "/CalGray" or "/G" } || (_imageMask && colourSpace is null);
            _colours = _imageMask ? null : ColourSpace.Read(colourSpace);
            if (_parameters is PdfDictionary ccitt && _filters.Contains("/CCITTFaxDecode"))
            {
                _k = ccitt.Elements.GetInteger("/K");
                _blackIs1 = ccitt.Elements.GetBoolean("/BlackIs1");
                if (ccitt.Elements.GetBoolean("/EncodedByteAlign") || (ccitt.Elements.ContainsKey("/Columns") && ccitt.Elements.GetInteger("/Columns") != _width))
                {
                    _k = 0; // not plain Group 4 of this width: left alone
                }
            }
        }

        private string Described => string.Create(CultureInfo.InvariantCulture, $"Page {FirstPage}: image {_width} × {_height} ({Dpi:0} dpi)");

        private (Change?, Outcome) Kept(string why) => (null, new Outcome(FirstPage, _encoded.Length, _encoded.Length, $"{Described} kept as it was: {why}.", Placements.Count));

        public (Change?, Outcome) Recompress(Settings settings, ImagingConfiguration imaging)
        {
            if ((long)_width * _height > imaging.Options.MaxPixels)
            {
                return Kept("it is larger than the pixel limit");
            }
            if (_bits == 1 || _imageMask)
            {
                return RecompressBilevel(settings, imaging);
            }
            if (_imageMask || _mask || _decode)
            {
                return Kept("it is a mask, or is drawn through one");
            }
            if (_filters.Any(f => f is "/CCITTFaxDecode" or "/JBIG2Decode" or "/JPXDecode"))
            {
                return Kept(_filters.Contains("/JPXDecode") ? "JPEG 2000 images are left as they are" : "bilevel CCITT and JBIG2 images are already compact");
            }
            if (_bits is not 8 and not 0)
            {
                return Kept("images of other than 8 or 1 bits per component are left as they are");
            }
            if (_colours is null)
            {
                return Kept("its colour space is not plain RGB, gray or an RGB/gray palette");
            }
            var downsample = Dpi > settings.Dpi * 1.05;
            if (_filters is ["/DCTDecode"] && !downsample && !settings.Gray && JpegQuality.Estimate(_encoded) is { } source && source <= settings.Quality + 5)
            {
                // Re-encoding a JPEG already at this resolution and about this quality costs a decode and an encode for
                // a few percent at best, and loses detail a second time.
                return Kept(string.Create(CultureInfo.InvariantCulture, $"it is already a JPEG of about quality {source} at {Dpi:0} dpi"));
            }

            Image<Rgb24>? pixels;
            try
            {
                pixels = _filters switch
                {
                    ["/DCTDecode"] when _colours.Palette is null => SixLabors.ImageSharp.Image.Load<Rgb24>(imaging.ImageSharp, _encoded),
                    _ when _filters.All(f => f is "/FlateDecode" or "/LZWDecode") => FromSamples(
                        _filters.Count == 0 ? _encoded : Filtering.Decode(_encoded, _filter!, _parameters), _width, _height, _colours),
                    _ => null,
                };
            }
            catch (Exception e) when (e is ImageFormatException or InvalidImageContentException or InvalidOperationException or ArgumentException or IndexOutOfRangeException)
            {
                return Kept("its data could not be decoded, so it is not touched");
            }
            if (pixels is null)
            {
                return Kept("its encoding is left as it is");
            }
            using (pixels)
            {
                var isGray = settings.Gray || (_colours.Palette is null && _colours.Components == 1) || IsGrayInEffect(pixels);
                var scale = Dpi > settings.Dpi ? settings.Dpi / Dpi : 1;
                var (newWidth, newHeight) = (Math.Max(1, (int)Math.Round(_width * scale)), Math.Max(1, (int)Math.Round(_height * scale)));
                if (newWidth < pixels.Width)
                {
                    pixels.Mutate(x => x.Resize(newWidth, newHeight, KnownResamplers.Bicubic));
                }
                using var output = new MemoryStream();
                pixels.SaveAsJpeg(output, new JpegEncoder { Quality = settings.Quality, ColorType = isGray ? JpegColorType.Luminance : JpegColorType.YCbCrRatio420 });
                if (output.Length >= _encoded.Length)
                {
                    return Kept(string.Create(CultureInfo.InvariantCulture, $"a {(isGray ? "gray " : "")}JPEG at {Math.Min(settings.Dpi, Dpi):0} dpi, quality {settings.Quality} would not be smaller"));
                }
                var change = new Change(output.ToArray(), pixels.Width, pixels.Height, 8, isGray ? "/DeviceGray" : "/DeviceRGB", Group4: false);
                return (change, new Outcome(FirstPage, _encoded.Length, output.Length, string.Create(CultureInfo.InvariantCulture,
                    $"{Described} → {pixels.Width} × {pixels.Height} ({Dpi * pixels.Width / _width:0} dpi), {(isGray ? "gray " : "")}JPEG quality {settings.Quality}: {ByteSize.Describe(_encoded.Length)} → {ByteSize.Describe(output.Length)}."),
                    Placements.Count, Scalable: true));
            }
        }

        /// <summary>
        /// A black-and-white image. Candidates, each judged by how alike it looks to the original drawn at 100 dpi (a
        /// reviewer's screen): CCITT Group 4 at its own resolution (lossless), or brought down to the bilevel resolution of
        /// the pass when it is above it; and, for a halftone (a scanner's black-and-white rendering of shades, which Group 4
        /// codes badly), a gray JPEG at the pass's resolution and quality. The smallest candidate that stays legible and is
        /// smaller than the original wins. Group 4 input already at or under the resolution is left as it is, unless it is a halftone.
        /// </summary>
        private (Change?, Outcome) RecompressBilevel(Settings settings, ImagingConfiguration imaging)
        {
            if (_mask || _decode || !_grayName)
            {
                return Kept("a black-and-white image drawn through a mask, inverted by /Decode, or in a palette is left as it is");
            }
            var ccitt = _filters is ["/CCITTFaxDecode"];
            if (_filters.Contains("/JBIG2Decode") || (ccitt && _k >= 0) || !(ccitt || _filters.All(f => f is "/FlateDecode" or "/LZWDecode")))
            {
                return Kept("bilevel JBIG2 and CCITT Group 3 images are already compact");
            }
            var downsample = Dpi > settings.BilevelDpi * 1.05;
            // Stored Group 4 says at once whether it is a halftone; other storage is judged by its Group 4 coding below.
            var halftone = ccitt && _encoded.Length * 8.0 / ((double)_width * _height) > HalftoneBitsPerPixel;
            if (ccitt && !downsample && !halftone)
            {
                return Kept(string.Create(CultureInfo.InvariantCulture, $"it is already CCITT Group 4 at {Dpi:0} dpi"));
            }
            byte[] pixels;
            try
            {
                pixels = ccitt
                    ? Bilevel.DecodeGroup4(_encoded, _width, _height, _blackIs1, imaging)
                    : Bilevel.Unpack(_filters.Count == 0 ? _encoded : Filtering.Decode(_encoded, _filter!, _parameters), _width, _height, zeroIsBlack: true);
            }
            catch (Exception e) when (e is ImageFormatException or InvalidImageContentException or InvalidDataException or InvalidOperationException or ArgumentException or IndexOutOfRangeException)
            {
                return Kept("its data could not be decoded, so it is not touched");
            }
            var view = 100 / Dpi; // legibility is judged at 100 dpi
            var (viewWidth, viewHeight) = (Math.Max(8, (int)Math.Round(_width * view)), Math.Max(8, (int)Math.Round(_height * view)));
            var notes = new List<string>();
            var candidates = new List<(Change Change, string Sentence, bool Scalable)>();

            var (width, height, bilevel) = (_width, _height, pixels);
            if (downsample)
            {
                var scale = settings.BilevelDpi / Dpi;
                var (newWidth, newHeight) = (Math.Max(1, (int)Math.Round(_width * scale)), Math.Max(1, (int)Math.Round(_height * scale)));
                var smaller = Bilevel.Resample(pixels, _width, _height, newWidth, newHeight, imaging);
                var similarity = Bilevel.Legibility(pixels, _width, _height, smaller, newWidth, newHeight, viewWidth, viewHeight, imaging);
                if (similarity >= settings.MinBilevelSimilarity)
                {
                    (width, height, bilevel) = (newWidth, newHeight, smaller);
                }
                else
                {
                    notes.Add(string.Create(CultureInfo.InvariantCulture, $"at {settings.BilevelDpi} dpi it would look too different (SSIM {similarity:0.000} at 100 dpi, under {settings.MinBilevelSimilarity:0.00}), so it keeps {Dpi:0} dpi"));
                }
            }
            if (!ccitt || width != _width)
            {
                var group4 = Bilevel.EncodeGroup4(bilevel, width, height);
                candidates.Add((new Change(group4, width, height, 1, _imageMask ? null : "/DeviceGray", Group4: true),
                    string.Create(CultureInfo.InvariantCulture, $"{width} × {height} ({Dpi * width / _width:0} dpi), black and white, CCITT Group 4: {ByteSize.Describe(_encoded.Length)} → {ByteSize.Describe(group4.Length)}"),
                    false));
                halftone |= group4.Length * 8.0 / ((double)width * height) > HalftoneBitsPerPixel;
            }
            if (halftone && !_imageMask)
            {
                var scale = Math.Min(1, settings.Dpi / Dpi);
                var (grayWidth, grayHeight) = (Math.Max(1, (int)Math.Round(_width * scale)), Math.Max(1, (int)Math.Round(_height * scale)));
                using var gray = Bilevel.Gray(pixels, _width, _height, grayWidth, grayHeight, imaging);
                using var output = new MemoryStream();
                gray.SaveAsJpeg(output, new JpegEncoder { Quality = settings.Quality, ColorType = JpegColorType.Luminance });
                using var decoded = SixLabors.ImageSharp.Image.Load<L8>(imaging.ImageSharp, output.ToArray());
                var similarity = Bilevel.Legibility(pixels, _width, _height, decoded, viewWidth, viewHeight, imaging);
                if (similarity >= settings.MinBilevelSimilarity)
                {
                    candidates.Add((new Change(output.ToArray(), grayWidth, grayHeight, 8, "/DeviceGray", Group4: false),
                        string.Create(CultureInfo.InvariantCulture, $"{grayWidth} × {grayHeight} ({Dpi * grayWidth / _width:0} dpi), a halftone of shades made gray, JPEG quality {settings.Quality}: {ByteSize.Describe(_encoded.Length)} → {ByteSize.Describe(output.Length)} (SSIM {similarity:0.000} at 100 dpi)"),
                        true));
                }
                else
                {
                    notes.Add(string.Create(CultureInfo.InvariantCulture, $"as a gray JPEG it would look too different (SSIM {similarity:0.000})"));
                }
            }
            var note = notes.Count == 0 ? "" : " (" + string.Join("; ", notes) + ")";
            var gains = candidates.Where(c => c.Change.Stream.Length < _encoded.Length).ToList();
            if (gains.Count == 0)
            {
                return Kept("no black-and-white or gray encoding of it is smaller" + note);
            }
            var best = gains.MinBy(c => c.Change.Stream.Length);
            return (best.Change, new Outcome(FirstPage, _encoded.Length, best.Change.Stream.Length, $"{Described} → {best.Sentence}{note}.", Placements.Count, best.Scalable));
        }
    }

    /// <summary>
    /// Above this many bits per pixel (stored, or as Group 4), a black-and-white image is a halftone of shades rather than
    /// text and lines: text pages code at 0.05–0.15 bits per pixel, error-diffused photos at 0.5–1.5.
    /// </summary>
    private const double HalftoneBitsPerPixel = 0.3;

    private static List<string> FilterNames(PdfItem? filter) => filter switch
    {
        PdfName name => [name.Value],
        PdfArray array => [.. array.Elements.OfType<PdfName>().Select(n => n.Value)],
        PdfReference { Value: PdfArray array } => [.. array.Elements.OfType<PdfName>().Select(n => n.Value)],
        _ => [],
    };

    private static Image<Rgb24>? FromSamples(byte[]? samples, int width, int height, ColourSpace colours)
    {
        var perPixel = colours.Palette is null ? colours.Components : 1;
        if (samples is null || samples.LongLength < (long)width * height * perPixel)
        {
            return null;
        }
        var image = new Image<Rgb24>(width, height);
        image.ProcessPixelRows(rows =>
        {
            for (var y = 0; y < height; y++)
            {
                var row = rows.GetRowSpan(y);
                var offset = y * width * perPixel;
                for (var x = 0; x < width; x++)
                {
                    row[x] = colours switch
                    {
                        { Palette: { } palette } => palette[Math.Min(samples[offset + x], palette.Length - 1)],
                        { Components: 1 } => new Rgb24(samples[offset + x], samples[offset + x], samples[offset + x]),
                        _ => new Rgb24(samples[offset + 3 * x], samples[offset + 3 * x + 1], samples[offset + 3 * x + 2]),
                    };
                }
            }
        });
        return image;
    }

    /// <summary>True when no pixel's channels differ by more than a scanner's colour noise.</summary>
    private static bool IsGrayInEffect(Image<Rgb24> image)
    {
        var gray = true;
        image.ProcessPixelRows(rows =>
        {
            for (var y = 0; y < rows.Height && gray; y++)
            {
                foreach (var p in rows.GetRowSpan(y))
                {
                    if (Math.Abs(p.R - p.G) > 8 || Math.Abs(p.G - p.B) > 8)
                    {
                        gray = false;
                        break;
                    }
                }
            }
        });
        return gray;
    }

    /// <summary>The colour spaces this pass decodes: gray, RGB (device or ICC-based), and 8-bit palettes over them.</summary>
    private sealed record ColourSpace(int Components, Rgb24[]? Palette)
    {
        public static ColourSpace? Read(PdfItem? item)
        {
            item = item is PdfReference reference ? reference.Value : item;
            switch (item)
            {
                case PdfName { Value: "/DeviceGray" or "/CalGray" }:
                    return new ColourSpace(1, null);
                case PdfName { Value: "/DeviceRGB" or "/CalRGB" }:
                    return new ColourSpace(3, null);
                case PdfArray { Elements.Count: >= 2 } array when array.Elements.GetName(0) == "/ICCBased":
                    var profile = array.Elements.GetDictionary(1);
                    return profile?.Elements.GetInteger("/N") switch
                    {
                        1 => new ColourSpace(1, null),
                        3 => new ColourSpace(3, null),
                        _ => null,
                    };
                case PdfArray { Elements.Count: 4 } array when array.Elements.GetName(0) is "/Indexed" or "/I":
                    var baseSpace = Read(array.Elements[1]);
                    var lookup = array.Elements[3] switch
                    {
                        PdfString text when text.Value.All(c => c <= 0xFF) => text.Value.Select(c => (byte)c).ToArray(),
                        PdfReference { Value: PdfDictionary { Stream: { } stream } } => stream.UnfilteredValue,
                        PdfDictionary { Stream: { } stream } => stream.UnfilteredValue,
                        _ => null,
                    };
                    if (baseSpace is not { Palette: null } || lookup is null)
                    {
                        return null;
                    }
                    var entries = Math.Min(array.Elements.GetInteger(2) + 1, lookup.Length / baseSpace.Components);
                    var palette = Enumerable.Range(0, entries).Select(i => baseSpace.Components == 1
                        ? new Rgb24(lookup[i], lookup[i], lookup[i])
                        : new Rgb24(lookup[3 * i], lookup[3 * i + 1], lookup[3 * i + 2])).ToArray();
                    return palette.Length == 0 ? null : new ColourSpace(1, palette);
                default:
                    return null;
            }
        }
    }
}
