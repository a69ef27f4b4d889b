using DocEngine.Core.Processing;
using DocEngine.Tests.Infrastructure;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Metadata.Profiles.Exif;
using SixLabors.ImageSharp.Processing;

namespace DocEngine.Tests.Imaging;

/// <summary>
/// Every EXIF/TIFF orientation comes out upright, compared by pixels (with a tolerance) against the corpus's upright
/// reference, as Pillow's and the exif-orientation-examples' own tests do. Each check also proves it could fail: the
/// image left as stored must differ clearly from the reference.
/// </summary>
public sealed class OrientationTests
{
    [SkippableTheory]
    [InlineData("pillow__hopper_orientation_2.webp")]
    [InlineData("pillow__hopper_orientation_3.jpg")]
    [InlineData("pillow__hopper_orientation_4.webp")]
    [InlineData("pillow__hopper_orientation_5.jpg")]
    [InlineData("pillow__hopper_orientation_6.webp")]
    [InlineData("pillow__hopper_orientation_7.jpg")]
    [InlineData("pillow__hopper_orientation_8.webp")]
    public void Hopper_comes_out_equal_to_the_upright_reference(string name)
    {
        var path = CorpusManifest.File("corpus", "exif-orientation/" + name);
        using var reference = Pixels.Load(CorpusManifest.File("corpus", "exif-orientation/pillow__hopper.webp"));
        AssertUpright(path, reference, tolerance: 12);
    }

    [SkippableTheory]
    [InlineData("recurser__Landscape_3.jpg")]
    [InlineData("recurser__Landscape_5.jpg")]
    [InlineData("recurser__Landscape_7.jpg")]
    public void Landscape_photos_come_out_upright_1800_by_1200(string name)
    {
        using var reference = Pixels.Load(CorpusManifest.File("corpus", "exif-orientation/recurser__Landscape_1.jpg"));
        var output = AssertUpright(CorpusManifest.File("corpus", "exif-orientation/" + name), reference, tolerance: 20);
        Assert.Equal((1800, 1200), (output.Width, output.Height));
    }

    [SkippableTheory]
    [InlineData("recurser__Portrait_2.jpg")]
    [InlineData("recurser__Portrait_4.jpg")]
    [InlineData("recurser__Portrait_6.jpg")]
    [InlineData("recurser__Portrait_8.jpg")]
    public void Portrait_photos_come_out_upright_1200_by_1800(string name)
    {
        // Portrait_0 has the invalid orientation 0, which the manifest says to treat as 1: it is the upright reference.
        using var reference = Pixels.Load(CorpusManifest.File("corpus", "exif-orientation/recurser__Portrait_0.jpg"));
        var output = AssertUpright(CorpusManifest.File("corpus", "exif-orientation/" + name), reference, tolerance: 20);
        Assert.Equal((1200, 1800), (output.Width, output.Height));
    }

    [SkippableFact]
    public void A_2_by_1_image_with_orientation_8_becomes_1_by_2_and_carries_no_orientation()
    {
        var (bytes, outcome) = Pipeline.Process(new ProcessingRequest(OutputFormat.Png), CorpusManifest.File("corpus", "exif-orientation/pillow__orientation_rectangle.jpg"));
        using var output = Image.Load(bytes);
        Assert.Equal((1, 2), (output.Width, output.Height));
        Assert.Null(output.Metadata.ExifProfile?.GetValue(ExifTag.Orientation));
        Assert.Contains(outcome.Report.Actions, a => a.Contains("orientation tag 8", StringComparison.Ordinal));
    }

    [SkippableFact]
    public void A_png_whose_exif_sits_in_an_imagemagick_text_chunk_is_turned_by_its_orientation_3()
    {
        var path = CorpusManifest.File("corpus", "png/pillow__exif_imagemagick_orientation.png");
        var (bytes, _) = Pipeline.Process(new ProcessingRequest(OutputFormat.Png), path);
        using var output = Pixels.Load(bytes);
        using var rotated = Pixels.Load(path);
        rotated.Mutate(x => x.Rotate(RotateMode.Rotate180));
        Assert.Equal((512, 512), (output.Width, output.Height));
        Assert.True(Pixels.MeanAbsoluteError(output, rotated) < 1, "The output should be the stored pixels turned 180°.");
    }

    [SkippableFact]
    public void Bilevel_g4_tiffs_with_orientations_2_4_6_8_all_come_out_identical()
    {
        var outputs = new[] { 2, 4, 6, 8 }
            .Select(o => Pipeline.Process(new ProcessingRequest(OutputFormat.Png), CorpusManifest.File("corpus", $"tiff/pillow__g4_orientation_{o}.tif")).Output)
            .Select(Pixels.Load)
            .ToList();
        try
        {
            Assert.All(outputs, o => Assert.Equal((outputs[0].Width, outputs[0].Height), (o.Width, o.Height)));
            // The four sources are separate encodings of the same page and differ in a few edge pixels (≈0.3 of 255).
            Assert.All(outputs.Skip(1), o => Assert.True(Pixels.MeanAbsoluteError(outputs[0], o) < 2));
            using var sideways = Pixels.Load(CorpusManifest.File("corpus", "tiff/pillow__g4_orientation_6.tif"));
            Assert.NotEqual((outputs[0].Width, outputs[0].Height), (sideways.Width, sideways.Height)); // as stored it is turned
        }
        finally
        {
            outputs.ForEach(o => o.Dispose());
        }
    }

    private static Image AssertUpright(string path, Image reference, double tolerance)
    {
        var (bytes, _) = Pipeline.Process(new ProcessingRequest(OutputFormat.Png), path);
        var output = Pixels.Load(bytes);
        using var asStored = Pixels.Load(path); // ImageSharp's plain decode ignores the orientation tag
        var error = Pixels.MeanAbsoluteError(output, reference);
        var unturned = Pixels.MeanAbsoluteError(asStored, reference);
        Assert.True(error < tolerance, $"{Path.GetFileName(path)}: mean error {error:F1} against the reference (tolerance {tolerance}).");
        Assert.True(unturned > 2 * error, $"{Path.GetFileName(path)}: as stored it differs by only {unturned:F1}, so the check proves nothing.");
        return output;
    }
}
