using System.Globalization;
using DocEngine.Core.Detection;
using DocEngine.Core.Imaging;
using DocEngine.Core.Pdf;

namespace DocEngine.Core.Processing;

/// <summary>
/// Normalizes images into clean, upright, small files or PDF pages: every frame is turned upright, converted to sRGB,
/// stripped of metadata, optionally grayed and downscaled, then written as JPEG or PNG, or placed on a PDF page at its
/// physical size. Frames are decoded one at a time, so memory stays at one page whatever the page count.
/// </summary>
public sealed class DocumentProcessor(ImagingConfiguration configuration)
{
    private const double A4WidthInches = 8.27;
    private const double A4HeightInches = 11.69;
    private readonly ImageSource _images = new(configuration);

    /// <summary>Processes <paramref name="inputs"/> (several only into a PDF) and writes the result to <paramref name="output"/>.</summary>
    public ProcessingOutcome Process(IReadOnlyList<ProcessingInput> inputs, ProcessingRequest request, Stream output, CancellationToken cancellationToken)
    {
        request.Validate();
        var actions = new List<string>();
        var warnings = new List<string>();
        var sources = new List<(ProcessingInput Input, Detection.DetectedType Detection, ImageFacts Facts)>();
        foreach (var input in inputs)
        {
            var detection = ContentDetector.Detect(input.Content, input.FileName);
            Refusals.ThrowIfUnsupported(detection);
            if (detection.Kind == DocumentKind.Pdf)
            {
                throw new DocEngineException(ErrorKind.InvalidArgument, "PDF_AMONG_IMAGES",
                    "A PDF is compressed on its own, not combined with images: process the PDF by itself (with a size limit if it must fit), and the images separately.");
            }
            if (detection.NameMismatch is { } mismatch)
            {
                warnings.Add(mismatch);
            }
            sources.Add((input, detection, _images.Inspect(input.Content, detection)));
        }
        var multiPage = sources.Count > 1 || sources.Any(s => s.Detection.Kind == DocumentKind.Tiff && s.Facts.Frames > 1);
        if (multiPage && request.Format != OutputFormat.Pdf)
        {
            throw new DocEngineException(ErrorKind.InvalidArgument, "SEVERAL_PAGES_NEED_PDF",
                "Several images or a multi-page TIFF become one file only as a PDF: ask for the pdf format, or process the pages one at a time.")
            { Field = "format" };
        }

        var before = inputs.Sum(i => i.Content.Length);
        var start = output.Position;
        ProcessingOutcome outcome;
        if (request.Format == OutputFormat.Pdf)
        {
            using var pdf = new ImagePdfWriter();
            var (width, height) = (0, 0);
            foreach (var (input, detection, facts) in sources)
            {
                foreach (var frame in _images.Decode(input.Content, detection, facts, warnings.Add))
                {
                    using (frame)
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        var page = PreparePage(frame, facts, request, pdf.Pages == 0 ? actions : [], warnings);
                        (width, height) = pdf.Pages == 0 ? (frame.Image.Width, frame.Image.Height) : (width, height);
                        pdf.AddPage(page.Bytes, page.WidthInches, page.HeightInches);
                        if (pdf.Pages == 1)
                        {
                            actions.Add(string.Create(CultureInfo.InvariantCulture,
                                $"Placed each image on its own PDF page at its physical size; page 1 is {page.WidthInches:0.##} × {page.HeightInches:0.##} in."));
                        }
                    }
                }
            }
            pdf.Save(output);
            outcome = new ProcessingOutcome("application/pdf", ".pdf", pdf.Pages, width, height, Report());
        }
        else
        {
            var (input, detection, facts) = sources[0];
            using var frame = _images.Decode(input.Content, detection, facts, warnings.Add).First();
            var gray = request.Gray;
            var dpi = Normalize(frame, facts, request, actions, warnings, pdfPage: false);
            var jpeg = request.Format switch
            {
                OutputFormat.Jpeg => true,
                OutputFormat.Png => false,
                _ => detection.Kind == DocumentKind.Jpeg || (detection.Kind != DocumentKind.Png && !frame.Bilevel
                    && !ImageEncoding.HasTransparency(frame.Image) && !ImageEncoding.LooksLikeLineArt(frame.Image)),
            };
            ImageNormalizer.StripMetadata(frame.Image, dpi);
            if (jpeg)
            {
                ImageEncoding.WriteJpeg(frame.Image, output, configuration.Options.JpegQuality, gray);
                actions.Add($"Saved as JPEG (quality {configuration.Options.JpegQuality}).");
            }
            else
            {
                ImageEncoding.WritePng(frame.Image, output, gray, frame.Bilevel && !Resized(actions));
                actions.Add("Saved as PNG (lossless).");
            }
            outcome = new ProcessingOutcome(jpeg ? "image/jpeg" : "image/png", jpeg ? ".jpg" : ".png", 1, frame.Image.Width, frame.Image.Height, Report());
        }
        return outcome;

        ProcessingReport Report() => new(before, output.Length - start, actions, warnings.Distinct().ToList());
    }

    /// <summary>The image steps shared by both outputs; returns the resolution of the result.</summary>
    private static double? Normalize(DecodedFrame frame, ImageFacts facts, ProcessingRequest request, List<string> actions, List<string> warnings, bool pdfPage)
    {
        if (frame.ColorManaged)
        {
            actions.Add("Converted the colours to sRGB through the file's colour profile.");
        }
        ImageNormalizer.Orient(frame.Image, frame.Orientation, actions);
        if (request.Gray)
        {
            ImageNormalizer.ToGray(frame.Image, actions);
        }
        var dpi = frame.Dpi is >= 100 and <= 4800 ? frame.Dpi.Value : (double?)null;
        if (dpi is null && (pdfPage || request.TargetDpi is not null))
        {
            dpi = FitA4(frame.Image.Width, frame.Image.Height);
            warnings.Add("The file states no scan resolution, so its physical size was taken as a full A4 page.");
        }
        actions.Add((facts.HasGps, facts.HasCameraInfo) switch
        {
            (true, true) => "Removed the GPS location, the camera details and all other metadata.",
            (true, false) => "Removed the GPS location and all other metadata.",
            (false, true) => "Removed the camera details and all other metadata.",
            _ => "Removed all metadata (EXIF, XMP, comments).",
        });
        return ImageNormalizer.Resize(frame.Image, dpi, request.MaxEdge, request.TargetDpi, actions);
    }

    private (MemoryStream Bytes, double WidthInches, double HeightInches) PreparePage(DecodedFrame frame, ImageFacts facts, ProcessingRequest request, List<string> actions, List<string> warnings)
    {
        var (sourceWidth, sourceHeight) = UprightSize(frame);
        var sourceDpi = frame.Dpi is >= 100 and <= 4800 ? frame.Dpi.Value : FitA4(sourceWidth, sourceHeight);
        var dpi = Normalize(frame, facts, request, actions, warnings, pdfPage: true);
        ImageNormalizer.StripMetadata(frame.Image, dpi);
        var bytes = new MemoryStream();
        var lineArt = frame.Bilevel || ImageEncoding.LooksLikeLineArt(frame.Image);
        if (lineArt)
        {
            // 8-bit gray, never 1-bit: PDFsharp 6.2 cannot read a 1-bit PNG ("Unsupported image format"), and the page's
            // Flate stream compresses the 8-bit gray of a black-and-white scan well anyway.
            ImageEncoding.WritePng(frame.Image, bytes, request.Gray || frame.Bilevel, bilevel: false);
        }
        else
        {
            ImageEncoding.WriteJpeg(frame.Image, bytes, configuration.Options.JpegQuality, request.Gray);
        }
        return (bytes, sourceWidth / sourceDpi, sourceHeight / sourceDpi);
    }

    private static (int Width, int Height) UprightSize(DecodedFrame frame) =>
        frame.Orientation >= 5 ? (frame.Image.Height, frame.Image.Width) : (frame.Image.Width, frame.Image.Height);

    /// <summary>The resolution at which an image of unknown resolution exactly fits an A4 page (portrait or landscape).</summary>
    private static double FitA4(int width, int height) => width > height
        ? Math.Max(width / A4HeightInches, height / A4WidthInches)
        : Math.Max(width / A4WidthInches, height / A4HeightInches);

    private static bool Resized(List<string> actions) => actions.Any(a => a.StartsWith("Reduced", StringComparison.Ordinal));
}
