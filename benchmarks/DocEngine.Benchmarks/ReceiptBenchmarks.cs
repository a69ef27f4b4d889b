using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using DocEngine.Core.Receipts;

namespace DocEngine.Benchmarks;

/// <summary>
/// A document's signed receipt: issuing one (the payload as JSON, signed as an ES256 JWS, as <see cref="ReceiptService"/>
/// does) and checking it the way a third party does (<see cref="ReceiptCheck.Verify"/>: the JWS against the published
/// key, the payload read back, optionally the local file's SHA-256 and size), against the bare ES256 sign and verify of
/// the same bytes that any JOSE library pays.
/// </summary>
[MemoryDiagnoser]
[SuiteJob(warmupCount: 3, iterationCount: 10)]
public class ReceiptBenchmarks
{
    private string _keys = "";
    private ReceiptKey _key = null!;
    private ReceiptPayload _payload = null!;
    private byte[] _payloadBytes = [];
    private byte[] _document = [];
    private string _receipt = "";

    [GlobalSetup]
    public void Setup()
    {
        // The server's own key handling: a P-256 key generated once under the data directory.
        _keys = Directory.CreateTempSubdirectory("docengine-bench-receipts").FullName;
        _key = ReceiptKeys.LoadAsync(new ReceiptOptions(), new DocEngine.Core.Storage.Embedded.FileReceiptKeyStore(_keys), TimeProvider.System, CancellationToken.None)
            .GetAwaiter().GetResult().Active;
        _document = new byte[1 << 20];
        new Random(5).NextBytes(_document);
        var received = DateTimeOffset.UtcNow;
        _payload = new ReceiptPayload("docengine", ReceiptPayload.ReceiptType, "portal-a", "applications/a1", "applications/a1/documents/d1",
            "bank-statement.pdf", _document.Length, Convert.ToHexStringLower(SHA256.HashData(_document)), "application/pdf", 20, received,
            Supplementary: false, Version: 1,
            new ReceiptProcessing("VERDICT_NOT_SIGNED", null, [new ReceiptRendition("applications/a1/documents/d1/renditions/r1", "image/png", new string('a', 64))]),
            Sequence: 1, PreviousReceiptSha256: null, IssuedAt: received);
        _payloadBytes = _payload.ToJson();
        _receipt = Jws.Sign(_payloadBytes, _key.Id, _key.Key);
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_keys, recursive: true);

    /// <summary>The floor: ECDSA P-256 / SHA-256 sign, then verify, of the payload's bytes.</summary>
    [Benchmark(Baseline = true)]
    public bool Es256SignAndVerify()
    {
        var signature = _key.Key.SignData(_payloadBytes, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return _key.Key.VerifyData(_payloadBytes, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }

    /// <summary>Issue a receipt (payload to JSON, JWS) and check it as a third party would.</summary>
    [Benchmark]
    public bool IssueAndVerify()
    {
        var jws = Jws.Sign(_payload.ToJson(), _key.Id, _key.Key);
        return Check(jws, null);
    }

    /// <summary>Check an issued receipt and that a 1 MiB local file is the one it names (<c>docengine receipt verify --document</c>).</summary>
    [Benchmark]
    public bool VerifyWithDocument()
    {
        using var document = new MemoryStream(_document, writable: false);
        return Check(_receipt, document);
    }

    private bool Check(string jws, Stream? document)
    {
        var result = ReceiptCheck.Verify([jws], id => id == _key.Id ? _key.Key : null, null, document);
        if (!result.Valid)
        {
            throw new InvalidOperationException(string.Join(" ", result.Problems));
        }
        return true;
    }
}
