using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;

namespace DocEngine.Core.Batch;

/// <summary>One input's report line, and what the run counts about it.</summary>
/// <param name="Line">The line for the report.</param>
/// <param name="Worked">True when some step ran; false when every result was already stored.</param>
/// <param name="BytesOut">Size of what the steps that ran wrote.</param>
public sealed record BatchItem(BatchReportLine Line, bool Worked, long BytesOut);

/// <summary>
/// The work on one input, whatever its source and wherever results are kept: hash it, then for each step reuse the stored
/// result or run the step under a time limit and publish it. It never throws because of the input: a refusal becomes the
/// core's sentence, anything else a one-line failure, so one hostile file cannot stop a batch. The server-side batch is
/// meant to drive this same class with stored documents and its own <see cref="IBatchResultStore"/>.
/// </summary>
public sealed class BatchWork : IDisposable
{
    private readonly BatchOptions _options;
    private readonly IBatchResultStore _results;
    private readonly BatchSteps _steps;
    private readonly IReadOnlyDictionary<BatchOp, string> _keys;

    /// <summary>Prepares the steps <paramref name="options"/> names, storing results in <paramref name="results"/>.</summary>
    public BatchWork(BatchOptions options, IBatchResultStore results)
    {
        options.Validate();
        if (options.Workers is null)
        {
            // Server batches run through the node's services (StoredBatchSteps); only a batch that decodes here needs a pool.
            throw new ArgumentException("A batch that runs its steps here needs a worker pool to decode in.", nameof(options));
        }
        _options = options;
        _results = results;
        _steps = new BatchSteps(options);
        _keys = options.Keys();
    }

    /// <summary>Stops what the steps started for this batch alone (a LibreOffice pool when none was given).</summary>
    public void Dispose() => _steps.Dispose();

    /// <summary>Runs every step on <paramref name="input"/>; throws only when <paramref name="cancellationToken"/> is cancelled.</summary>
    public async Task<BatchItem> RunAsync(BatchInput input, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        string sha256;
        try
        {
            sha256 = input.Sha256 ?? await HashAsync(input.Path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new BatchItem(new BatchReportLine(input.Name, BatchOutcome.Failed, Describe(e), [], clock.ElapsedMilliseconds) { Bytes = input.Length }, true, 0);
        }
        var ops = new List<OpLine>();
        var outputs = new List<string>();
        var worked = false;
        string? verdict = null;
        long bytesOut = 0;
        foreach (var op in _options.Ops)
        {
            var key = _keys[op];
            var result = await _results.FindAsync(sha256, key, cancellationToken).ConfigureAwait(false);
            if (result is null)
            {
                worked = true;
                result = await RunStepAsync(op, key, input, sha256, cancellationToken).ConfigureAwait(false);
                bytesOut += result.BytesOut;
            }
            ops.Add(new OpLine(op, key, result.Outcome, result.Outcome == BatchOutcome.Ok ? null : result.Message));
            outputs.AddRange(result.Outputs);
            verdict ??= result.Verdict;
        }
        var (outcome, message) = Judge(ops);
        var line = new BatchReportLine(input.Name, outcome, message, outputs, clock.ElapsedMilliseconds)
        {
            Sha256 = sha256,
            Bytes = input.Length,
            Ops = ops,
            Verdict = verdict,
        };
        return new BatchItem(line, worked, bytesOut);
    }

    /// <summary>
    /// One outcome for the input: failed when a step failed; refused when every step that applies refused it; attention
    /// when a step refused what the others could process, or asks for attention; ok otherwise.
    /// </summary>
    internal static (BatchOutcome Outcome, string Message) Judge(IReadOnlyList<OpLine> ops)
    {
        if (ops.FirstOrDefault(o => o.Outcome == BatchOutcome.Failed) is { } failed)
        {
            return (BatchOutcome.Failed, failed.Message ?? "");
        }
        var applied = ops.Where(o => o.Outcome != BatchOutcome.Skipped).ToList();
        if (applied.FirstOrDefault(o => o.Outcome == BatchOutcome.Refused) is { } refused)
        {
            return applied.All(o => o.Outcome == BatchOutcome.Refused)
                ? (BatchOutcome.Refused, refused.Message ?? "")
                : (BatchOutcome.Attention, $"{StepName(refused.Op)} could not be done, though the other steps were: {refused.Message}");
        }
        return applied.FirstOrDefault(o => o.Outcome == BatchOutcome.Attention) is { } attention
            ? (BatchOutcome.Attention, attention.Message ?? "")
            : (BatchOutcome.Ok, "");
    }

    private static string StepName(BatchOp op) => op switch
    {
        BatchOp.Normalize => "Normalizing",
        BatchOp.Ocr => "Reading the text (OCR)",
        BatchOp.Preview => "The preview",
        _ => "The signature check",
    };

    private async Task<OpResult> RunStepAsync(BatchOp op, string key, BatchInput input, string sha256, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var folder = _results.CreateScratch();
        OpResult result;
        try
        {
            var output = await WithinBackstopAsync(op, input, folder, cancellationToken).ConfigureAwait(false);
            var bytes = output.Files.Sum(f => new FileInfo(Path.Combine(folder, f)).Length);
            var outcome = output.SkippedBecause is not null ? BatchOutcome.Skipped : output.Attention is not null ? BatchOutcome.Attention : BatchOutcome.Ok;
            result = new OpResult(op, key, outcome, output.SkippedBecause ?? output.Attention ?? "", output.Files, bytes, clock.ElapsedMilliseconds, output.Notes)
            {
                Verdict = output.Verdict,
            };
        }
        catch (DocEngineException refusal)
        {
            result = new OpResult(op, key, BatchOutcome.Refused, refusal.Message, [], 0, clock.ElapsedMilliseconds, []);
            Discard(folder); // a timed-out step may still be writing there; the refusal is published from an empty folder
            if (!Lasting(refusal))
            {
                return result;
            }
            folder = _results.CreateScratch();
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Discard(folder);
            throw;
        }
        catch (Exception e)
        {
            // Not the input's fault as far as we know (a bug, a full disk): not stored, so the next run retries it.
            Discard(folder);
            return new OpResult(op, key, BatchOutcome.Failed, Describe(e), [], 0, clock.ElapsedMilliseconds, []);
        }
        try
        {
            return await _results.PublishAsync(sha256, folder, result, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Discard(folder);
            return result with { Outcome = BatchOutcome.Failed, Message = Describe(e), Files = [], BytesOut = 0 };
        }
    }

    /// <summary>
    /// Runs the step on the thread pool and stops waiting at <see cref="BatchOptions.BackstopOf"/>: the decoders cannot be
    /// interrupted mid-image, so a step past its limit is abandoned (bounded by the pixel and frame limits) and the worker moves on.
    /// </summary>
    private async Task<StepOutput> WithinBackstopAsync(BatchOp op, BatchInput input, string folder, CancellationToken cancellationToken)
    {
        var limit = _options.BackstopOf(op);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(limit);
        try
        {
            return await Task.Run(() => _steps.RunAsync(op, input, folder, deadline.Token), deadline.Token).WaitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new DocEngineException(ErrorKind.ResourceExhausted, "PROCESSING_TIMEOUT", string.Create(CultureInfo.InvariantCulture,
                $"This document took longer than {limit.TotalSeconds:0} seconds to {op.ToString().ToLowerInvariant()}: split it into smaller files, or scan it at a lower resolution."));
        }
    }

    /// <summary>
    /// Whether a refusal belongs to the content and options, and so is stored like any result. A missing renderer or a
    /// busy resource is about this machine at this moment: installing mutool and rerunning must fill those in.
    /// </summary>
    private static bool Lasting(DocEngineException refusal) => refusal.Kind != ErrorKind.Aborted && refusal.Reason != "RENDERER_MISSING";

    private static async Task<string> HashAsync(string path, CancellationToken cancellationToken)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(file, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>The exception's type and first line: enough to file a bug, never a stack trace.</summary>
    private static string Describe(Exception e) => $"{e.GetType().Name}: {e.Message.Split('\n')[0].Trim()}";

    private static void Discard(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // An abandoned step still writing there; the next run clears the scratch area.
        }
    }
}
