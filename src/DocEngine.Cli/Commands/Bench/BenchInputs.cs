using System.Security.Cryptography;
using DocEngine.Cli.Common;
using DocEngine.Contract.V1;
using DocEngine.Core.Detection;
using Google.Protobuf;
using Crc32C = DocEngine.Core.Uploads.Crc32C;

namespace DocEngine.Cli.Commands.Bench;

/// <summary>
/// One input file held in memory with its Upload stream already built, so that a request costs the client only the
/// sending: the messages are read-only once made, and gRPC serializes them for each call without changing them.
/// </summary>
internal sealed record BenchInput(string Name, byte[] Bytes, DocumentKind Kind, IReadOnlyList<UploadRequest> Chunks, UploadRequest Finish);

/// <summary>Reads the inputs of a bench run once, at start, keeping only the files its scenario can use.</summary>
internal static class BenchInputs
{
    // The CLI's upload chunk size: benchmarks/README.md found 1 MiB chunks land on the LOH and ingest 0.5x as fast.
    private const int ChunkSize = 64 << 10;

    /// <summary>The regular files of DIR (top level, by name) or the one FILE; exit 2 when none fits the scenario.</summary>
    public static IReadOnlyList<BenchInput> Load(string path, BenchScenario scenario, TextWriter stderr)
    {
        IEnumerable<FileInfo> files;
        if (Directory.Exists(path))
        {
            files = new DirectoryInfo(path).EnumerateFiles()
                .Where(f => !f.Name.StartsWith('.'))
                .OrderBy(f => f.Name, StringComparer.Ordinal);
        }
        else if (File.Exists(path))
        {
            files = [new FileInfo(path)];
        }
        else
        {
            throw new CliFailure(ExitCodes.Usage, $"No such file or folder: {Path.GetFullPath(path)}.");
        }

        var inputs = new List<BenchInput>();
        var skipped = new List<string>();
        foreach (var file in files)
        {
            var bytes = File.ReadAllBytes(file.FullName);
            using var content = new MemoryStream(bytes, writable: false);
            var detection = ContentDetector.Detect(content, file.Name);
            if (bytes.Length > 0 && Fits(scenario, detection))
            {
                inputs.Add(Build(file.Name, bytes, detection.Kind));
            }
            else
            {
                skipped.Add(file.Name);
            }
        }
        if (skipped.Count > 0)
        {
            stderr.WriteLine($"Skipping {skipped.Count} file(s) that bench {Name(scenario)} cannot use (it takes {Needs(scenario)}): {string.Join(", ", skipped)}.");
        }
        return inputs.Count > 0
            ? inputs
            : throw new CliFailure(ExitCodes.Usage, $"No input files for bench {Name(scenario)} in {Path.GetFullPath(path)}: it needs {Needs(scenario)}.");
    }

    /// <summary>The scenario's name as typed on the command line.</summary>
    public static string Name(BenchScenario scenario) => scenario.ToString().ToLowerInvariant();

    // Verify checks PDF signatures and mixed ends with verify, so both take PDFs only; process and preview take every
    // document kind the service handles; upload stores bytes of any kind.
    private static bool Fits(BenchScenario scenario, DetectedType detection) => scenario switch
    {
        BenchScenario.Upload => true,
        BenchScenario.Process or BenchScenario.Preview => detection.IsSupported,
        _ => detection.Kind == DocumentKind.Pdf,
    };

    private static string Needs(BenchScenario scenario) => scenario switch
    {
        BenchScenario.Upload => "non-empty files",
        BenchScenario.Process or BenchScenario.Preview => "PDFs or images",
        _ => "PDFs",
    };

    private static BenchInput Build(string name, byte[] bytes, DocumentKind kind)
    {
        var chunks = new List<UploadRequest>();
        for (var offset = 0; offset < bytes.Length; offset += ChunkSize)
        {
            var data = bytes.AsMemory(offset, Math.Min(ChunkSize, bytes.Length - offset));
            chunks.Add(new UploadRequest
            {
                // The array is never written again, so wrapping it instead of copying is safe.
                Chunk = new UploadChunk { Data = UnsafeByteOperations.UnsafeWrap(data), Crc32C = Crc32C.Compute(data.Span) },
            });
        }
        var finish = new UploadRequest { Finish = new UploadFinish { Sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes)) } };
        return new BenchInput(name, bytes, kind, chunks, finish);
    }
}
