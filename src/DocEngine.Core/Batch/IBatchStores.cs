namespace DocEngine.Core.Batch;

/// <summary>
/// Where a batch's inputs come from, as a stream: a folder offline (<see cref="DirectorySource"/>); a tenant's stored
/// documents for the server-side batch, whose inputs carry their known SHA-256.
/// </summary>
public interface IBatchSource
{
    /// <summary>The inputs one at a time, lazily: never a list of the whole corpus.</summary>
    IAsyncEnumerable<BatchInput> ReadAsync(CancellationToken cancellationToken);

    /// <summary>How many inputs there are, for the ETA (a separate, cheap pass over names); null when that is not cheap.</summary>
    Task<long?> CountAsync(CancellationToken cancellationToken);
}

/// <summary>
/// Step results keyed by content SHA-256 plus the step's key. A result is visible only once complete (a killed run never
/// leaves a half result that counts as done), so asking again costs nothing. Offline: files under OUT/results; on the
/// server: renditions in the blob store and the metadata store.
/// </summary>
public interface IBatchResultStore
{
    /// <summary>The completed result, or null when there is none.</summary>
    Task<OpResult?> FindAsync(string sha256, string key, CancellationToken cancellationToken);

    /// <summary>True when a completed result exists (cheaper than <see cref="FindAsync"/>).</summary>
    bool Exists(string sha256, string key);

    /// <summary>A new empty folder for one step's outputs; it is deleted or published, never seen half-written.</summary>
    string CreateScratch();

    /// <summary>
    /// Publishes <paramref name="scratch"/> (the outputs <paramref name="result"/> names) as the result for the content and
    /// key, atomically. When another worker published the same result first, that one is returned and the scratch dropped.
    /// </summary>
    Task<OpResult> PublishAsync(string sha256, string scratch, OpResult result, CancellationToken cancellationToken);
}

/// <summary>
/// The per-input outcomes of one batch, each input exactly once, surviving a kill at any point. Offline: OUT/report.jsonl;
/// on the server: the batch's work items, whose states a PostgreSQL store could hand out with FOR UPDATE SKIP LOCKED.
/// </summary>
public interface IBatchReport
{
    /// <summary>
    /// Before a run: drops what a killed run left half-written (a truncated line), lines whose results are missing or were
    /// made with other options, and failures (so they are retried); tallies what is kept.
    /// </summary>
    Task<BatchTally> ResumeAsync(IReadOnlyDictionary<BatchOp, string> keys, IBatchResultStore results, CancellationToken cancellationToken);

    /// <summary>True when the input already has its line.</summary>
    bool Contains(string input);

    /// <summary>Records the input's line; after this returns, <see cref="Contains"/> is true for it, also after a kill.</summary>
    Task AppendAsync(BatchReportLine line, CancellationToken cancellationToken);

    /// <summary>Records the run's summary.</summary>
    Task CompleteAsync(BatchSummary summary, CancellationToken cancellationToken);
}
