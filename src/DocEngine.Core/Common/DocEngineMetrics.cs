using System.Data.Common;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;

namespace DocEngine.Core.Common;

/// <summary>
/// DocEngine's own instruments on the <c>DocEngine</c> meter: bytes uploaded and downloaded, renditions made, the
/// renderer pool's use and the batch queue's depth; recording costs next to nothing until a listener (the server's
/// exporter) subscribes.
/// </summary>
public static class DocEngineMetrics
{
    /// <summary>The meter's name, for a MeterProvider's <c>AddMeter</c>.</summary>
    public const string MeterName = "DocEngine";

    // Static, not from IMeterFactory: the places that record (UploadWriter, RenditionService) have no service provider.
    private static readonly Meter Meter = new(MeterName);

    private static readonly Counter<long> UploadBytes = Meter.CreateCounter<long>("docengine.upload.bytes", "By",
        "Upload bytes accepted: chunks that passed their checks and were appended to the session's file.");

    private static readonly Counter<long> DownloadBytes = Meter.CreateCounter<long>("docengine.download.bytes", "By",
        "Document and rendition bytes sent by DocumentService.DownloadDocument.");

    private static readonly Counter<long> Renditions = Meter.CreateCounter<long>("docengine.renditions.made", "{rendition}",
        "Renditions made and stored by processing (each part of a split PDF counts), by media type; answers from the rendition cache do not count.");

    private static readonly Counter<long> TokensCreated = Meter.CreateCounter<long>("docengine.access_tokens.created", "{token}",
        "Applicant access tokens minted by AccessService.CreateAccessToken.");

    private static readonly Counter<long> TokensRevoked = Meter.CreateCounter<long>("docengine.access_tokens.revoked", "{token}",
        "Applicant access tokens revoked by AccessService.RevokeAccessToken.");

    private static readonly Counter<long> CallsLimited = Meter.CreateCounter<long>("docengine.calls.rate_limited", "{call}",
        "Calls refused with RESOURCE_EXHAUSTED by the per-tenant or per-token rate limit, by caller kind (tenant, token).");

    private static readonly Counter<long> CallsUnauthenticated = Meter.CreateCounter<long>("docengine.calls.unauthenticated", "{call}",
        "Calls refused with UNAUTHENTICATED or PERMISSION_DENIED, by reason (API_KEY_INVALID, TOKEN_EXPIRED, TOKEN_REVOKED, …).");

    // Weak, so a renderer whose host has stopped (tests run many hosts in one process) drops out instead of being kept alive.
    private static readonly ConditionalWeakTable<object, Func<(int Busy, int Capacity)>> Renderers = new();

    // Weak for the same reason; one entry per store whose batch queue is reported.
    private static readonly ConditionalWeakTable<object, BatchQueueDepth> BatchQueues = new();

    static DocEngineMetrics()
    {
        Meter.CreateObservableGauge("docengine.renderer.busy", () => Renderers.Sum(r => r.Value().Busy), "{process}",
            "mutool processes drawing or rewriting now (page-count probes take no slot and are not counted).");
        Meter.CreateObservableGauge("docengine.renderer.capacity", () => Renderers.Sum(r => r.Value().Capacity), "{process}",
            "mutool processes allowed at once (DocEngine:Previews:Concurrency).");
        Meter.CreateObservableGauge("docengine.batch.items.pending", () => BatchQueues.Sum(q => q.Value.Read().Pending), "{item}",
            "Items of running server-side batches waiting for a worker (issue 8), as read from the metadata store at most about a second ago.");
        Meter.CreateObservableGauge("docengine.batch.items.leased", () => BatchQueues.Sum(q => q.Value.Read().Leased), "{item}",
            "Items of running server-side batches a worker holds now, as read from the metadata store at most about a second ago.");
    }

    /// <summary>Counts <paramref name="bytes"/> of upload accepted into a session.</summary>
    public static void UploadReceived(long bytes) => UploadBytes.Add(bytes);

    /// <summary>Counts <paramref name="bytes"/> of a document or rendition sent to a client.</summary>
    public static void DownloadSent(long bytes) => DownloadBytes.Add(bytes);

    /// <summary>Counts one rendition stored, tagged <c>kind</c> with its media type (a handful of values).</summary>
    public static void RenditionMade(string mediaType) => Renditions.Add(1, new KeyValuePair<string, object?>("kind", mediaType));

    /// <summary>Counts applicant tokens minted.</summary>
    public static void AccessTokensCreated(int count) => TokensCreated.Add(count);

    /// <summary>Counts applicant tokens revoked.</summary>
    public static void AccessTokensRevoked(int count) => TokensRevoked.Add(count);

    /// <summary>Counts one call refused by a rate limit; <paramref name="caller"/> is "tenant" or "token".</summary>
    public static void CallLimited(string caller) => CallsLimited.Add(1, new KeyValuePair<string, object?>("caller", caller));

    /// <summary>Counts one call refused for its credentials, tagged with the refusal's stable reason.</summary>
    public static void CallRefused(string reason) => CallsUnauthenticated.Add(1, new KeyValuePair<string, object?>("reason", reason));

    /// <summary>Reports a renderer pool's <paramref name="slots"/> in the renderer gauges for as long as <paramref name="owner"/> lives.</summary>
    public static void ObserveRenderer(object owner, Func<(int Busy, int Capacity)> slots) => Renderers.AddOrUpdate(owner, slots);

    /// <summary>
    /// Reports a batch queue's depth, counted by <paramref name="count"/>, in the batch gauges for as long as
    /// <paramref name="store"/> lives, reading it once now.
    /// </summary>
    public static void ObserveBatchQueue(object store, Func<CancellationToken, Task<(long Pending, long Leased)>> count)
    {
        var depth = new BatchQueueDepth(count);
        BatchQueues.AddOrUpdate(store, depth);
        depth.Read();
    }

    /// <summary>
    /// The queue's depth as last read. A scrape never waits on the database: it gets the last value and, when that is over
    /// a second old, starts one read in the background (so scrapes cost at most one COUNT query per second).
    /// </summary>
    private sealed class BatchQueueDepth(Func<CancellationToken, Task<(long Pending, long Leased)>> count)
    {
        private const long MaxAgeMilliseconds = 1000;
        private readonly Lock _gate = new();
        private (long Pending, long Leased) _last;
        private long _readAt = long.MinValue / 2;
        private int _reading;

        public (long Pending, long Leased) Read()
        {
            if (Environment.TickCount64 - Volatile.Read(ref _readAt) > MaxAgeMilliseconds && Interlocked.Exchange(ref _reading, 1) == 0)
            {
                _ = Task.Run(RefreshAsync);
            }
            lock (_gate)
            {
                return _last;
            }
        }

        private async Task RefreshAsync()
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                var depth = await count(timeout.Token).ConfigureAwait(false);
                lock (_gate)
                {
                    _last = depth;
                }
            }
            catch (Exception e) when (e is DbException or IOException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
            {
                // A busy or closed store (a host shutting down): keep the last value; a later scrape reads again.
            }
            finally
            {
                Volatile.Write(ref _readAt, Environment.TickCount64);
                Volatile.Write(ref _reading, 0);
            }
        }
    }
}
