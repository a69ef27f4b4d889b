namespace DocEngine.Core.Imaging;

/// <summary>
/// Limits on what one image may cost to decode, counted on output (decoded pixels, frames, time), and the quality of
/// re-encoded photos. Breaches are refused with RESOURCE_EXHAUSTED and a sentence. Bound from <c>DocEngine:Processing</c>
/// (through <see cref="Processing.ProcessingOptions"/>).
/// </summary>
public class ImagingOptions
{
    /// <summary>Most pixels one image or page may decode to, checked from the header before decoding. Default 100 megapixels.</summary>
    public long MaxPixels { get; set; } = 100_000_000;

    /// <summary>Most frames or pages one image file may have. Default 500.</summary>
    public int MaxFrames { get; set; } = 500;

    /// <summary>Most memory the image decoders may hold at once, in MiB. Default 1024.</summary>
    public int MaxImageMemoryMegabytes { get; set; } = 1024;

    /// <summary>
    /// Memory the image decoders keep pooled between images, in MiB. Default 256: with 64, every 12-MP photo paid for
    /// fresh buffers and the forced collections they bring (2.2× slower, benchmarks/README.md).
    /// </summary>
    public int ImagePoolMegabytes { get; set; } = 256;

    /// <summary>Longest one inspection or processing run may take. Default 60 seconds.</summary>
    public TimeSpan MaxProcessingTime { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>JPEG quality of re-encoded photos. Default 85.</summary>
    public int JpegQuality { get; set; } = 85;
}
