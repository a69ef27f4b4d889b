using DocEngine.Tests.Infrastructure;

namespace DocEngine.Tests.Corpus;

/// <summary>
/// Every real document in ../shared (signed, malformed and encrypted PDFs, PngSuite, EXIF, HEIC, TIFF, WebP, scans)
/// goes in over real Kestrel and comes back byte for byte. Storage must never care what a file is.
/// Skipped loudly when ../shared is absent; under CI it must be present.
/// </summary>
public sealed class CorpusRoundTripTests(KestrelDocEngineFactory factory) : IClassFixture<KestrelDocEngineFactory>
{
    [SkippableFact]
    public async Task Every_shared_corpus_and_scan_file_is_stored_and_read_back_byte_for_byte()
    {
        var shared = SharedCorpus.RequireOrSkip();
        var files = new[] { "corpus", "scans" }
            .SelectMany(folder => Directory.EnumerateFiles(Path.Combine(shared, folder), "*", SearchOption.AllDirectories))
            .Where(path => !SharedCorpus.IsBookkeeping(path))
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.True(files.Count > 50, $"Only {files.Count} corpus files found under {shared}.");

        var invoker = factory.Invoker();
        foreach (var path in files)
        {
            var bytes = await File.ReadAllBytesAsync(path);
            var document = await Clients.UploadStreamingAsync(invoker, bytes, 64 << 10, filename: Path.GetFileName(path));
            Assert.True(TestData.Sha256(bytes) == document.Sha256, path);
            var back = await Clients.DownloadAsync(invoker, document.Name);
            Assert.True(bytes.AsSpan().SequenceEqual(back), path);
        }
    }
}

/// <summary>Finds ../shared and decides what its absence means: a loud skip locally, a failure in CI.</summary>
internal static class SharedCorpus
{
    public static string RequireOrSkip()
    {
        if (RepoPaths.Shared is { } shared)
        {
            return shared;
        }
        var message = $"SHARED CORPUS NOT FOUND at {Path.GetFullPath(Path.Combine(RepoPaths.Root, "..", "shared"))}: real-document tests are SKIPPED.";
        Assert.False(Environment.GetEnvironmentVariable("CI") == "true", message + " CI always has it, so this is a failure there.");
        Console.Error.WriteLine("*** " + message + " ***");
        Skip.If(true, message);
        return "";
    }

    public static bool IsBookkeeping(string path) =>
        Path.GetFileName(path) is "manifest.tsv" or "MANIFEST.md" || path.Contains($"{Path.DirectorySeparatorChar}LICENSES{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
        || Path.GetFileName(Path.GetDirectoryName(path)) == "LICENSES";
}
