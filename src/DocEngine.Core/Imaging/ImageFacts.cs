namespace DocEngine.Core.Imaging;

/// <summary>What an image's headers say, read without decoding its pixels.</summary>
/// <param name="Width">Stored width in pixels (before orientation).</param>
/// <param name="Height">Stored height in pixels (before orientation).</param>
/// <param name="Frames">Frames or pages.</param>
/// <param name="DpiX">Horizontal resolution in dots per inch, when the file states one.</param>
/// <param name="DpiY">Vertical resolution in dots per inch, when the file states one.</param>
/// <param name="ColorSpace">RGB, Gray, Bilevel, Palette, CMYK or YCbCr, as stored.</param>
/// <param name="BitsPerPixel">Bits per pixel as stored.</param>
/// <param name="IccProfile">None, or a short description: "sRGB" or "other (converted to sRGB on processing)".</param>
/// <param name="Orientation">EXIF/TIFF orientation 1–8; 1 when absent or invalid.</param>
/// <param name="HasGps">The file carries GPS location tags.</param>
/// <param name="HasCameraInfo">The file carries camera make, model, serial number, lens or maker notes.</param>
/// <param name="HasAlpha">The image has a transparency channel.</param>
public sealed record ImageFacts(
    int Width,
    int Height,
    int Frames,
    double? DpiX,
    double? DpiY,
    string ColorSpace,
    int BitsPerPixel,
    IccKind IccProfile,
    int Orientation,
    bool HasGps,
    bool HasCameraInfo,
    bool HasAlpha)
{
    /// <summary>Width after applying the orientation.</summary>
    public int UprightWidth => Orientation >= 5 ? Height : Width;

    /// <summary>Height after applying the orientation.</summary>
    public int UprightHeight => Orientation >= 5 ? Width : Height;

    /// <summary>Pixels in one frame.</summary>
    public long Pixels => (long)Width * Height;
}

/// <summary>Whether and which colour profile an image embeds.</summary>
public enum IccKind
{
    /// <summary>No embedded profile: sRGB is assumed.</summary>
    None,
    /// <summary>An sRGB profile.</summary>
    Srgb,
    /// <summary>Another profile (Display P3, Adobe RGB, a CMYK press profile…): pixels are converted to sRGB through it.</summary>
    Other,
}
