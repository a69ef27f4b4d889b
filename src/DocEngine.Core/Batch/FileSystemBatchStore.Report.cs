using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace DocEngine.Core.Batch;

/// <summary>
/// The report as <c>report.jsonl</c>, one line per input, appended and flushed line by line, plus an index on disk,
/// <c>reported/&lt;h[..2]&gt;/&lt;h&gt;</c> with h the SHA-256 of the input's name, saying which inputs have their line.
/// The index keeps memory flat however many inputs a resumed batch has. A marker is created only after its line is
/// flushed; a kill between the two leaves a line without its marker, which <see cref="ResumeAsync"/> repairs before
/// anything new is appended, so no input gets a second line.
/// </summary>
public sealed partial class FileSystemBatchStore : IBatchReport
{
    private readonly SemaphoreSlim _appendLock = new(1, 1);
    private FileStream? _report;

    private string IndexRoot => Path.Combine(Root, "reported");

    /// <inheritdoc />
    public async Task<BatchTally> ResumeAsync(IReadOnlyDictionary<BatchOp, string> keys, IBatchResultStore results, CancellationToken cancellationToken)
    {
        if (!File.Exists(ReportPath) && Directory.Exists(IndexRoot))
        {
            Directory.Delete(IndexRoot, recursive: true); // the report is the truth; without it, the index says nothing
        }
        long ok = 0, refused = 0, attention = 0;
        if (File.Exists(ReportPath))
        {
            var compacted = ReportPath + ".tmp";
            await using (var output = new FileStream(compacted, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
            {
                using var input = new StreamReader(ReportPath, Encoding.UTF8);
                while (await input.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } text)
                {
                    var line = Parse(text);
                    if (line is null)
                    {
                        continue; // the line a kill cut short
                    }
                    if (!IsDone(line, keys, results))
                    {
                        File.Delete(MarkerPath(line.Input)); // redone by this run, and reported again
                        continue;
                    }
                    await output.WriteAsync(Encoding.UTF8.GetBytes(text.TrimEnd() + "\n"), cancellationToken).ConfigureAwait(false);
                    await MarkAsync(line, cancellationToken).ConfigureAwait(false);
                    ok += line.Outcome == BatchOutcome.Ok ? 1 : 0;
                    refused += line.Outcome == BatchOutcome.Refused ? 1 : 0;
                    attention += line.Outcome == BatchOutcome.Attention ? 1 : 0;
                }
                output.Flush(flushToDisk: true);
            }
            File.Move(compacted, ReportPath, overwrite: true);
        }
        _report = new FileStream(ReportPath, FileMode.Append, FileAccess.Write, FileShare.Read, 1 << 16, FileOptions.Asynchronous);
        return new BatchTally(ok, refused, 0, attention);
    }

    /// <inheritdoc />
    public bool Contains(string input) => File.Exists(MarkerPath(input));

    /// <inheritdoc />
    public async Task AppendAsync(BatchReportLine line, CancellationToken cancellationToken)
    {
        var report = _report ?? throw new InvalidOperationException("ResumeAsync opens the report; call it first.");
        var bytes = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(line, Json) + "\n");
        await _appendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // One write and a flush per line: a kill leaves whole lines and at most one cut-short last line.
            await report.WriteAsync(bytes, CancellationToken.None).ConfigureAwait(false);
            await report.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            await MarkAsync(line, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            _appendLock.Release();
        }
    }

    /// <inheritdoc />
    public Task CompleteAsync(BatchSummary summary, CancellationToken cancellationToken) =>
        WriteAtomicallyAsync(Path.Combine(Root, "summary.json"), summary, indented: true, cancellationToken);

    private static BatchReportLine? Parse(string text)
    {
        try
        {
            return JsonSerializer.Deserialize<BatchReportLine>(text, Json) is { Input.Length: > 0 } line ? line : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>A line stays when every step it names is the one this run asks for and its result is stored.</summary>
    private static bool IsDone(BatchReportLine line, IReadOnlyDictionary<BatchOp, string> keys, IBatchResultStore results) =>
        line.Outcome != BatchOutcome.Failed && line.Sha256 is { } sha256 && line.Ops.Count == keys.Count
        && line.Ops.All(op => keys.TryGetValue(op.Op, out var key) && key == op.Key && results.Exists(sha256, key));

    private async Task MarkAsync(BatchReportLine line, CancellationToken cancellationToken)
    {
        var marker = MarkerPath(line.Input);
        if (!File.Exists(marker))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(marker)!);
            await File.WriteAllTextAsync(marker, line.Sha256, cancellationToken).ConfigureAwait(false);
        }
    }

    private string MarkerPath(string input)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(input)))[..32];
        return Path.Combine(IndexRoot, hash[..2], hash);
    }
}
