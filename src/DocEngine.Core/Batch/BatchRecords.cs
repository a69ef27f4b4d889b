using System.Text.Json.Serialization;

namespace DocEngine.Core.Batch;

/// <summary>How an input, or one step on it, ended.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<BatchOutcome>))]
public enum BatchOutcome
{
    /// <summary>Done; its outputs were written.</summary>
    [JsonStringEnumMemberName("ok")] Ok,
    /// <summary>The core refused the input with a sentence saying why (damaged, unsupported, over a limit, too slow).</summary>
    [JsonStringEnumMemberName("refused")] Refused,
    /// <summary>Something unexpected went wrong: a bug or an I/O error, retried by the next run.</summary>
    [JsonStringEnumMemberName("failed")] Failed,
    /// <summary>The step does not apply to this input (a signature check of an image); only for steps, never for an input.</summary>
    [JsonStringEnumMemberName("skipped")] Skipped,
    /// <summary>
    /// Done, but a person must look: a signature is not valid, the file was damaged and repaired, or one step could not
    /// run on an input the other steps could process. The message says why in one sentence.
    /// </summary>
    [JsonStringEnumMemberName("attention")] Attention,
}

/// <summary>One input of a batch: a name that is a label (a path relative to DIR), and a readable local file.</summary>
/// <param name="Name">What the report calls it, e.g. "scans/2024/a.pdf".</param>
/// <param name="Path">The file to read.</param>
/// <param name="Length">Its size in bytes.</param>
/// <param name="Sha256">Its SHA-256 when the source already knows it (stored documents); null to compute it.</param>
public sealed record BatchInput(string Name, string Path, long Length, string? Sha256 = null);

/// <summary>The stored result of one step on one content: what <c>done.json</c> holds, written last.</summary>
/// <param name="Op">The step.</param>
/// <param name="Key">The step plus its options hash (<see cref="BatchOptions.KeyOf"/>).</param>
/// <param name="Outcome">Ok, skipped or refused; failures are never stored, so they are retried.</param>
/// <param name="Message">The core's sentence when refused, or why the step was skipped; empty otherwise.</param>
/// <param name="Files">Output file names, relative to the result.</param>
/// <param name="BytesOut">Total size of the outputs.</param>
/// <param name="Millis">How long the step took when it ran.</param>
/// <param name="Notes">What was done and what a person should know: actions, warnings, the signature verdict.</param>
public sealed record OpResult(BatchOp Op, string Key, BatchOutcome Outcome, string Message, IReadOnlyList<string> Files, long BytesOut,
    long Millis, IReadOnlyList<string> Notes)
{
    /// <summary>The verify step's verdict as the contract names it (<c>VERDICT_INVALID</c>, …); null for other steps and non-PDFs.</summary>
    public string? Verdict { get; init; }

    /// <summary>Where the outputs are, as the report names them (set by the store that holds the result).</summary>
    [JsonIgnore]
    public IReadOnlyList<string> Outputs { get; init; } = [];
}

/// <summary>One step of a report line.</summary>
/// <param name="Op">The step.</param>
/// <param name="Key">The result key it used, so a rerun with other options knows the line is stale.</param>
/// <param name="Outcome">How the step ended.</param>
/// <param name="Message">The refusal sentence, the failure, why it was skipped or needs attention; null when ok.</param>
public sealed record OpLine(BatchOp Op, string Key, BatchOutcome Outcome, string? Message);

/// <summary>One line of <c>report.jsonl</c>: one input, exactly once per batch.</summary>
/// <param name="Input">The input's name (its path relative to DIR).</param>
/// <param name="Outcome">
/// Failed if a step failed; else refused if every step that applies was refused; else attention if a step was refused
/// (the others could process it) or needs attention (a signature not valid, a repaired file); else ok.
/// </param>
/// <param name="Message">Why, in one sentence: the refusal, the failure (exception type and first line), or what needs attention; empty when ok.</param>
/// <param name="Outputs">Files written for it, relative to OUT.</param>
/// <param name="Millis">Time spent on it in the run that wrote the line.</param>
public sealed record BatchReportLine(string Input, BatchOutcome Outcome, string Message, IReadOnlyList<string> Outputs, long Millis)
{
    /// <summary>SHA-256 of the content; null when the file could not be read.</summary>
    public string? Sha256 { get; init; }

    /// <summary>Size of the input.</summary>
    public long Bytes { get; init; }

    /// <summary>Each step's outcome and result key.</summary>
    public IReadOnlyList<OpLine> Ops { get; init; } = [];

    /// <summary>The signature verdict as the contract names it (<c>VERDICT_VALID</c>, <c>VERDICT_INVALID</c>, …); null when not checked or not a PDF.</summary>
    public string? Verdict { get; init; }
}

/// <summary>The outcomes a resumed report already holds.</summary>
public sealed record BatchTally(long Ok, long Refused, long Failed, long Attention);

/// <summary>Live counts for a progress display.</summary>
/// <param name="Done">Inputs handled in this run, skipped ones included.</param>
/// <param name="Processed">Inputs this run did work on.</param>
/// <param name="Refused">Inputs the report holds as refused so far, resumed lines included.</param>
/// <param name="Failed">Inputs the report holds as failed so far.</param>
/// <param name="Attention">Inputs the report holds as needing attention so far.</param>
/// <param name="Skipped">Inputs whose work was already done.</param>
/// <param name="Total">How many inputs there are, once the counting pass has finished; null before.</param>
/// <param name="Elapsed">Time since the run started.</param>
public sealed record BatchProgress(long Done, long Processed, long Refused, long Failed, long Attention, long Skipped, long? Total, TimeSpan Elapsed)
{
    /// <summary>Inputs processed per second so far (skipped ones would flatter a resumed run).</summary>
    public double DocsPerSecond => Elapsed.TotalSeconds > 0 ? Processed / Elapsed.TotalSeconds : 0;
}

/// <summary>What <c>summary.json</c> holds at the end of a run; outcome counts cover the whole report, the rest this run.</summary>
/// <param name="Files">Inputs in the report.</param>
/// <param name="Ok">Inputs ok.</param>
/// <param name="Refused">Inputs refused, each with a sentence.</param>
/// <param name="Failed">Inputs failed (retried by the next run).</param>
/// <param name="Attention">Inputs processed that a person must look at, each with a sentence.</param>
/// <param name="Processed">Inputs this run did work on.</param>
/// <param name="Skipped">Inputs this run found already done.</param>
/// <param name="BytesIn">Size of the inputs this run processed.</param>
/// <param name="BytesOut">Size of the outputs this run wrote.</param>
/// <param name="ElapsedSeconds">Wall time of this run.</param>
/// <param name="DocsPerSecond">Inputs processed per second of wall time.</param>
/// <param name="Ops">Steps run.</param>
/// <param name="Concurrency">Inputs worked on at once.</param>
/// <param name="MaxBytes">The normalize size limit, if any.</param>
public sealed record BatchSummary(long Files, long Ok, long Attention, long Refused, long Failed, long Processed, long Skipped, long BytesIn, long BytesOut,
    double ElapsedSeconds, double DocsPerSecond, IReadOnlyList<BatchOp> Ops, int Concurrency, long? MaxBytes);
