using DocEngine.Core.Archive;
using DocEngine.Core.Conversion;
using DocEngine.Core.Mupdf;
using DocEngine.Core.Ocr;
using DocEngine.Core.Processing;

namespace DocEngine.Tests.Infrastructure;

/// <summary>
/// One warm LibreOffice pool (two listeners), Tesseract and Ghostscript, shared by every test of the "Converters"
/// collection: starting LibreOffice costs seconds, a conversion on a warm listener a tenth of that. The tests skip
/// loudly when a converter is missing, and fail under CI, whose test build installs them.
/// </summary>
public sealed class ConvertersFixture : IDisposable
{
    private readonly Lock _gate = new();
    private Task? _warm;

    public ConvertersFixture()
    {
        Mutool = new MutoolRenderer(new MutoolOptions());
        Office = new OfficeConverter(new ConversionOptions { Listeners = 2 });
        // The PDF is read and written through the same JSON a worker would use, in the test process (the converters are what these tests are about).
        var workers = global::DocEngine.Tests.Infrastructure.Pipeline.Workers;
        Ocr = new TesseractOcr(new OcrOptions(), Mutool, workers, new ProcessingOptions());
        Archive = new PdfAWriter(new ArchiveOptions());
        Converters = new DocumentConverters(Office, Ocr, Archive);
        Pipeline = new DocumentPipeline(workers, new ProcessingOptions(), Mutool, Converters);
    }

    public MutoolRenderer Mutool { get; }

    public OfficeConverter Office { get; }

    public TesseractOcr Ocr { get; }

    public PdfAWriter Archive { get; }

    public DocumentConverters Converters { get; }

    public DocumentPipeline Pipeline { get; }

    /// <summary>The warm LibreOffice pool; skips (fails under CI) when LibreOffice cannot run here.</summary>
    public async Task<OfficeConverter> OfficeAsync()
    {
        Require(Office.IsAvailable, $"LIBREOFFICE NOT AVAILABLE ({Office.Unavailability}): conversion tests are SKIPPED");
        Task warm;
        lock (_gate)
        {
            // A start that failed (a listener too slow to start on a loaded machine) is tried again by the next test.
            warm = _warm = _warm is null || _warm.IsFaulted ? Office.WarmUpAsync(CancellationToken.None) : _warm;
        }
        await warm;
        return Office;
    }

    /// <summary>Tesseract; skips (fails under CI) when it or a language is missing.</summary>
    public TesseractOcr RequireOcr()
    {
        Require(Ocr.IsAvailable, "TESSERACT NOT AVAILABLE: OCR tests are SKIPPED");
        return Ocr;
    }

    /// <summary>Ghostscript; skips (fails under CI) when it is missing.</summary>
    public PdfAWriter RequireArchive()
    {
        Require(Archive.IsAvailable, "GHOSTSCRIPT NOT AVAILABLE: PDF/A tests are SKIPPED");
        return Archive;
    }

    public void Dispose() => Office.Dispose();

    /// <summary>Skips loudly when <paramref name="available"/> is false; under CI=true that is a failure instead.</summary>
    public static void Require(bool available, string message)
    {
        if (available)
        {
            return;
        }
        message += " (the server build installs the Debian packages when it may).";
        Assert.False(Environment.GetEnvironmentVariable("CI") == "true", message + " Under CI this is a failure.");
        Console.Error.WriteLine("*** " + message + " ***");
        Skip.If(true, message);
    }
}

/// <summary>The tests that share <see cref="ConvertersFixture"/>.</summary>
[CollectionDefinition(Name)]
public sealed class ConvertersCollection : ICollectionFixture<ConvertersFixture>
{
    public const string Name = "Converters";
}
