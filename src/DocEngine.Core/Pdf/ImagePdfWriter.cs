using PdfSharp.Drawing;
using PdfSharp.Pdf;

namespace DocEngine.Core.Pdf;

/// <summary>
/// Builds a PDF with one page per image, each page exactly the image's physical size. JPEG bytes are embedded as they
/// are (DCT), PNG as Flate; nothing is re-encoded here.
/// </summary>
internal sealed class ImagePdfWriter : IDisposable
{
    private readonly PdfDocument _document = new();
    private readonly List<(MemoryStream Bytes, XImage Image)> _images = [];

    public ImagePdfWriter()
    {
        _document.Info.Creator = "DocEngine";
        _document.Options.CompressContentStreams = true;
    }

    /// <summary>Adds a page of <paramref name="widthInches"/> × <paramref name="heightInches"/> filled by the encoded image.</summary>
    public void AddPage(MemoryStream encodedImage, double widthInches, double heightInches)
    {
        encodedImage.Position = 0;
        var image = XImage.FromStream(encodedImage);
        _images.Add((encodedImage, image));
        var page = _document.AddPage();
        page.Width = XUnit.FromInch(widthInches);
        page.Height = XUnit.FromInch(heightInches);
        using var graphics = XGraphics.FromPdfPage(page);
        graphics.DrawImage(image, 0, 0, page.Width.Point, page.Height.Point);
        Pages++;
    }

    /// <summary>Pages added so far (PDFsharp's own count is unreadable once saved).</summary>
    public int Pages { get; private set; }

    public void Save(Stream output) => _document.Save(output, closeStream: false);

    public void Dispose()
    {
        foreach (var (bytes, image) in _images)
        {
            image.Dispose();
            bytes.Dispose();
        }
        _document.Dispose();
    }
}
