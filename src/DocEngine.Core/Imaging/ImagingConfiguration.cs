using ImageMagick;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Memory;

namespace DocEngine.Core.Imaging;

/// <summary>
/// One configuration for both decoders, built from <see cref="ImagingOptions"/>: ImageSharp with an allocation cap,
/// and ImageMagick's process-wide resource limits (it is used only for HEIC/HEIF, AVIF, JPEG 2000 and colour management).
/// </summary>
public sealed class ImagingConfiguration
{
    private static readonly Lock MagickLimitsLock = new();
    private static bool _magickReady;

    /// <summary>Builds the configuration. ImageMagick's process-wide limits are set from the first instance, on first use.</summary>
    public ImagingConfiguration(ImagingOptions options)
    {
        Options = options;
        ImageSharp = Configuration.Default.Clone();
        ImageSharp.MemoryAllocator = MemoryAllocator.Create(new MemoryAllocatorOptions
        {
            AllocationLimitMegabytes = options.MaxImageMemoryMegabytes,
            MaximumPoolSizeMegabytes = options.ImagePoolMegabytes,
        });
    }

    /// <summary>
    /// Sets ImageMagick's process-wide limits before its first use. Lazy, because loading its native library costs a
    /// one-shot CLI run tens of milliseconds that JPEG, PNG and most other files never need.
    /// </summary>
    internal void EnsureMagickLimits()
    {
        if (Volatile.Read(ref _magickReady))
        {
            return;
        }
        lock (MagickLimitsLock)
        {
            ResourceLimits.Area = (ulong)Options.MaxPixels;
            ResourceLimits.Width = 200_000;
            ResourceLimits.Height = 200_000;
            ResourceLimits.ListLength = (ulong)Options.MaxFrames;
            ResourceLimits.Memory = (ulong)Options.MaxImageMemoryMegabytes << 20;
            ResourceLimits.Disk = 0; // never spill decoded pixels to temporary files
            // Not ResourceLimits.Time: ImageMagick counts it from process start, so it would stop a long-running server.
            Volatile.Write(ref _magickReady, true);
        }
    }

    /// <summary>The limits this configuration enforces.</summary>
    public ImagingOptions Options { get; }

    /// <summary>ImageSharp's configuration, with the allocation cap.</summary>
    public Configuration ImageSharp { get; }

    /// <summary>Refuses an image whose stated size is over the pixel or frame limit, before any pixel buffer exists.</summary>
    public void CheckSize(long width, long height, int frames)
    {
        if (width <= 0 || height <= 0)
        {
            throw new DocEngineException(ErrorKind.InvalidArgument, "IMAGE_WITHOUT_PIXELS",
                $"This image says it is {width} × {height} pixels, which is not an image: export or photograph the document again.");
        }
        if (width * height > Options.MaxPixels)
        {
            throw new DocEngineException(ErrorKind.ResourceExhausted, "IMAGE_TOO_LARGE",
                $"This image is {width} × {height} pixels ({width * height / 1_000_000.0:0.#} megapixels), more than the {Options.MaxPixels / 1_000_000} megapixels DocEngine accepts: scan or export it at a lower resolution.");
        }
        if (frames > Options.MaxFrames)
        {
            throw new DocEngineException(ErrorKind.ResourceExhausted, "TOO_MANY_FRAMES",
                $"This file has more than {Options.MaxFrames} pages or frames: split it into smaller files.");
        }
    }
}
