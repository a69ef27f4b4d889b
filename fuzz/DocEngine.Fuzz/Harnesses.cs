using System.Text;
using DocEngine.Core.Detection;
using DocEngine.Core.Imaging;
using DocEngine.Core.Pdf;
using DocEngine.Core.Receipts;
using DocEngine.Core.Signatures;
using DocEngine.Core.Storage;
using DocEngine.Core.Storage.Embedded;
using DocEngine.Core.Uploads;
using Microsoft.Extensions.Logging.Abstractions;

namespace DocEngine.Fuzz;

/// <summary>
/// One harness per parser of untrusted input. Each takes the fuzzer's bytes and must return or refuse with a
/// <see cref="DocEngineException"/>; any other exception, a hang or a runaway allocation is a finding. Shared with the
/// test suite, which replays every committed input in fuzz/regressions/HARNESS/.
/// </summary>
public static class Harnesses
{
    public static IReadOnlyDictionary<string, Action<byte[]>> All { get; } = new Dictionary<string, Action<byte[]>>
    {
        ["detection"] = Detection,
        ["pdf-syntax"] = PdfSyntax,
        ["pdf-limits"] = PdfLimitsScan,
        ["cms"] = Cms,
        ["image-checks"] = ImageChecks,
        ["receipt-jws"] = ReceiptJws,
        ["upload"] = Upload,
    };

    /// <summary>Content detection (magic numbers, ZIP entry names, PDF without a header).</summary>
    public static void Detection(byte[] data) => Refusing(() => ContentDetector.Detect(new MemoryStream(data), "upload.bin"));

    /// <summary>The signature verifier's own PDF syntax reader and cross-reference parser, reached through a whole verification.</summary>
    public static void PdfSyntax(byte[] data) => Refusing(() => Verifier.VerifyPdfAsync(data, null, null, CancellationToken.None).GetAwaiter().GetResult());

    /// <summary>The lexical PDF limits pass (nesting, objects, pages, inflated bytes, page-tree loops).</summary>
    public static void PdfLimitsScan(byte[] data)
    {
        var path = Path.Combine(Path.GetTempPath(), $"docengine-fuzz-{Environment.ProcessId}.pdf");
        File.WriteAllBytes(path, data);
        Refusing(() => PdfLimits.Check(path, new PdfOptions { MaxPdfDecompressedBytes = 64 << 20 }));
    }

    /// <summary>CMS and RFC 3161 time-stamp parsing: the input as a detached signature over a fixed content.</summary>
    public static void Cms(byte[] data) =>
        Refusing(() => Verifier.VerifyDetachedAsync(data, "signed content"u8.ToArray(), null, CancellationToken.None).GetAwaiter().GetResult());

    /// <summary>The PNG, JPEG, TIFF, GIF and WebP structure checks, each on the same bytes.</summary>
    public static void ImageChecks(byte[] data)
    {
        foreach (var kind in new[] { DocumentKind.Png, DocumentKind.Jpeg, DocumentKind.Tiff, DocumentKind.Gif, DocumentKind.WebP })
        {
            Refusing(() => ImageDamage.Check(new MemoryStream(data), kind));
        }
    }

    /// <summary>Receipt JWS parsing and chain checking, with the input as a receipt file (one receipt a line).</summary>
    public static void ReceiptJws(byte[] data)
    {
        var lines = Encoding.UTF8.GetString(data).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        foreach (var line in lines)
        {
            Jws.Parse(line);
        }
        ReceiptCheck.Verify(lines, _ => null, null, null);
    }

    /// <summary>
    /// The upload protocol's message handling: the input is a program of create, append (offset, CRC32C or none, bytes),
    /// complete (with or without a SHA-256) and cancel, run against a real embedded store.
    /// </summary>
    public static void Upload(byte[] data) => UploadAsync(data).GetAwaiter().GetResult();

    // Lazy, as every use of DocEngine.Core here: SharpFuzz's instrumented code must not run before Fuzzer.Run has set up AFL's map.
    private static readonly Lazy<SignatureVerifier> LazyVerifier = new(() => new(new SignatureOptions { TimeLimit = TimeSpan.FromSeconds(10) }, TrustAnchors.None));

    private static SignatureVerifier Verifier => LazyVerifier.Value;

    private static readonly Lazy<(EmbeddedStorage Storage, UploadManager Uploads)> Store = new(() =>
    {
        var root = Directory.CreateTempSubdirectory("docengine-fuzz-upload-").FullName;
        var storage = EmbeddedStorage.OpenAsync(root, CancellationToken.None).GetAwaiter().GetResult();
        var uploads = new UploadManager(new UploadOptions { MaxUploadBytes = 1 << 20, MaxChunkBytes = 64 << 10 }, storage.Metadata, storage.Metadata,
            storage.Metadata, storage.Blobs, storage.Parts, storage.Limits, StorageNode.Open("fuzz", root), TimeProvider.System, NullLogger<UploadManager>.Instance);
        return (storage, uploads);
    });

    private static async Task UploadAsync(byte[] data)
    {
        var uploads = Store.Value.Uploads;
        var reader = new BinaryReader(new MemoryStream(data));
        string? id = null;
        try
        {
            var declared = data.Length > 0 ? data[0] * 97L : (long?)null;
            id = (await uploads.CreateAsync("fuzz", new NewUpload(null, "fuzz.bin", "application/octet-stream", declared % 3 == 0 ? null : declared, null),
                CancellationToken.None)).Id;
            while (reader.BaseStream.Position < data.Length)
            {
                switch (reader.ReadByte() % 4)
                {
                    case 0 when reader.BaseStream.Position + 3 <= data.Length:
                        var offset = reader.ReadUInt16();
                        var length = reader.ReadByte();
                        var chunk = reader.ReadBytes(length);
                        await Refused(uploads.AppendAsync("fuzz", id, offset, chunk, length % 2 == 0 ? Crc32C.Compute(chunk) : null, CancellationToken.None));
                        break;
                    case 1:
                        await Refused(uploads.CompleteAsync("fuzz", id, reader.BaseStream.Position % 2 == 0 ? null : new string('0', 64), CancellationToken.None));
                        break;
                    case 2:
                        await Refused(uploads.CancelAsync("fuzz", id, CancellationToken.None));
                        break;
                    default:
                        await Refused(uploads.GetAsync("fuzz", id, CancellationToken.None));
                        break;
                }
            }
        }
        catch (DocEngineException)
        {
            // A refusal of the whole program (for example an upload too large): fine.
        }
        catch (EndOfStreamException)
        {
            // The program ran out of bytes mid-operation.
        }
    }

    private static async Task Refused<T>(Task<T> call)
    {
        try
        {
            await call;
        }
        catch (DocEngineException)
        {
            // Refusing is what a hostile message should get.
        }
    }

    private static void Refusing(Action parse)
    {
        try
        {
            parse();
        }
        catch (DocEngineException)
        {
            // A sentence for the person: the right outcome for a hostile input.
        }
    }

    private static void Refusing<T>(Func<T> parse) => Refusing(() => { parse(); });
}
