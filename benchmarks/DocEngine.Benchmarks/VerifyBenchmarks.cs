using BenchmarkDotNet.Attributes;
using DocEngine.Core.Signatures;

namespace DocEngine.Benchmarks;

/// <summary>
/// Checking every signature of each PDF in <c>../shared/corpus/pdf-signed</c> in-process (<see cref="SignatureVerifier.VerifyPdf"/>
/// on bytes already in memory, no trust anchors, no time-limit wrapper): the core that <c>verify-vs-pdfsig</c> times beside pdfsig.
/// </summary>
[MemoryDiagnoser]
public class VerifyBenchmarks
{
    private byte[] _pdf = [];

    /// <summary>The corpus's file names; none, with a message saying why, when <c>../shared</c> is not beside the repository.</summary>
    public static IEnumerable<string> Documents()
    {
        var folder = VerifyVersusPdfsig.SignedCorpus();
        if (!Directory.Exists(folder))
        {
            Console.Error.WriteLine($"VerifyBenchmarks: {folder} does not exist, so there is nothing to verify; skipped.");
            return [];
        }
        return Directory.GetFiles(folder, "*.pdf").Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>A file name in the corpus.</summary>
    [ParamsSource(nameof(Documents))]
    public string Document { get; set; } = "";

    [GlobalSetup]
    public void Setup() => _pdf = File.ReadAllBytes(Path.Combine(VerifyVersusPdfsig.SignedCorpus(), Document));

    [Benchmark]
    public SignatureVerdict Verify() => SignatureVerifier.VerifyPdf(_pdf, null, TrustAnchors.None, CancellationToken.None).Verdict;
}
