using System.Text.Json;
using System.Text.Json.Serialization;

namespace DocEngine.Core.Batch;

/// <summary>
/// An offline batch's output folder: step results under <c>results/</c>, the report and its index, and the summary (see
/// Batch/README.md for the layout). It holds an exclusive lock on <c>OUT/.lock</c> while open, so two runs never write
/// one folder; the lock dies with the process, so a killed run leaves nothing to clean up by hand.
/// </summary>
public sealed partial class FileSystemBatchStore : IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        // Operators read report.jsonl: "This PDF's", not "This PDF\u0027s". The report is a file, never embedded in HTML.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static readonly JsonSerializerOptions IndentedJson = new(Json) { WriteIndented = true };

    private readonly FileStream _lock;

    private FileSystemBatchStore(string root, FileStream @lock)
    {
        Root = root;
        _lock = @lock;
    }

    /// <summary>The output folder.</summary>
    public string Root { get; }

    /// <summary>Serializer settings of every JSON file a batch writes: camelCase names, enums as camelCase strings, nulls left out.</summary>
    public static JsonSerializerOptions JsonOptions => Json;

    private string ReportPath => Path.Combine(Root, "report.jsonl");

    private string Scratch => Path.Combine(Root, "tmp");

    /// <summary>Opens (creating) <paramref name="root"/>; refused when another batch has it open.</summary>
    public static FileSystemBatchStore Open(string root)
    {
        root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        Directory.CreateDirectory(root);
        FileStream @lock;
        try
        {
            // FileShare.None takes an advisory lock (flock) on Unix, released by the kernel when the process dies.
            @lock = new FileStream(Path.Combine(root, ".lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            throw new DocEngineException(ErrorKind.Aborted, "BATCH_IN_PROGRESS",
                $"Another batch is writing to {root}: wait for it to finish, or choose another output folder.");
        }
        // What a killed run was still working on is garbage: its results were never published.
        if (Directory.Exists(Path.Combine(root, "tmp")))
        {
            Directory.Delete(Path.Combine(root, "tmp"), recursive: true);
        }
        Directory.CreateDirectory(Path.Combine(root, "tmp"));
        return new FileSystemBatchStore(root, @lock);
    }

    /// <summary>Writes <paramref name="value"/> as JSON to <paramref name="path"/> through a temporary file and a rename, so readers see all or nothing.</summary>
    internal static async Task WriteAtomicallyAsync<T>(string path, T value, bool indented, CancellationToken cancellationToken)
    {
        var temporary = path + ".tmp";
        await using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 4096, FileOptions.Asynchronous))
        {
            await JsonSerializer.SerializeAsync(file, value, indented ? IndentedJson : Json, cancellationToken)
                .ConfigureAwait(false);
        }
        File.Move(temporary, path, overwrite: true);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _report?.Dispose();
        _appendLock.Dispose();
        _lock.Dispose();
    }
}
