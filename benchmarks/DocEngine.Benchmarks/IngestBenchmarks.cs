using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using DocEngine.Core.Storage;
using DocEngine.Core.Storage.Embedded;
using DocEngine.Core.Uploads;
using Microsoft.Extensions.Logging.Abstractions;

namespace DocEngine.Benchmarks;

/// <summary>
/// The ingest path without the network: 64 MiB through the upload manager (CRC32C check, SHA-256, part-file write,
/// background fsync + SQLite commit every 8 MiB, blob rename, document row) against the floor of the same work
/// done by hand (write, SHA-256, one fsync at the end).
/// </summary>
[MemoryDiagnoser]
[SuiteJob(warmupCount: 2, iterationCount: 8)]
public class IngestBenchmarks
{
    private const int Size = 64 << 20;
    private byte[] _data = [];
    private uint[] _crcs = [];
    private string _root = "";
    private EmbeddedStorage _storage = null!;
    private UploadManager _uploads = null!;

    /// <summary>Chunk size in KiB.</summary>
    [Params(16, 32, 64, 256)]
    public int ChunkKiB { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _data = new byte[Size];
        new Random(1).NextBytes(_data);
        var chunk = ChunkKiB << 10;
        _crcs = Enumerable.Range(0, Size / chunk).Select(i => Crc32C.Compute(_data.AsSpan(i * chunk, chunk))).ToArray();
        _root = Path.Combine(Path.GetTempPath(), "docengine-bench-ingest", Guid.NewGuid().ToString("n"));
        _storage = await EmbeddedStorage.OpenAsync(_root, CancellationToken.None);
        _uploads = new UploadManager(new UploadOptions(), _storage.Metadata, _storage.Metadata, _storage.Metadata, _storage.Blobs, _storage.Parts,
            _storage.Limits, StorageNode.Open("bench", _root), TimeProvider.System, NullLogger<UploadManager>.Instance);
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_root, recursive: true);

    /// <summary>The floor: write each chunk, hash it, fsync once at the end.</summary>
    [Benchmark(Baseline = true)]
    public string WriteHashFsync()
    {
        var chunk = ChunkKiB << 10;
        var path = Path.Combine(_root, "raw.bin");
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using (var file = File.OpenHandle(path, FileMode.Create, FileAccess.Write))
        {
            for (var offset = 0; offset < Size; offset += chunk)
            {
                RandomAccess.Write(file, _data.AsSpan(offset, chunk), offset);
                hash.AppendData(_data.AsSpan(offset, chunk));
            }
            RandomAccess.FlushToDisk(file);
        }
        File.Delete(path);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>What the Upload RPC does with each chunk, minus the network.</summary>
    [Benchmark]
    public async Task<string> UploadManagerIngest()
    {
        var chunk = ChunkKiB << 10;
        var upload = await _uploads.CreateAsync("bench", new NewUpload(null, "bench.bin", "", Size, null), CancellationToken.None);
        await using var writer = await _uploads.OpenWriterAsync("bench", upload.Id, 0, CancellationToken.None);
        for (var i = 0; i < _crcs.Length; i++)
        {
            await writer.WriteAsync(_data.AsMemory(i * chunk, chunk), _crcs[i]);
            writer.TryTakeBackgroundCommit(out _);
            writer.CommitInBackgroundIfDue();
        }
        return (await writer.CompleteAsync(null, CancellationToken.None)).Sha256;
    }
}
