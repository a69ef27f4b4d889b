using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using DocEngine.Core.Previews;

namespace DocEngine.Core;

/// <summary>
/// DocEngine's own instruments on the <c>DocEngine</c> meter: bytes uploaded and downloaded, renditions made, and the
/// renderer pool's use; recording costs next to nothing until a listener (the server's exporter) subscribes.
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

    // Weak, so a renderer whose host has stopped (tests run many hosts in one process) drops out instead of being kept alive.
    private static readonly ConditionalWeakTable<MutoolRenderer, object?> Renderers = new();

    static DocEngineMetrics()
    {
        Meter.CreateObservableGauge("docengine.renderer.busy", () => Renderers.Sum(r => r.Key.Slots.Busy), "{process}",
            "mutool processes drawing or rewriting now (page-count probes take no slot and are not counted).");
        Meter.CreateObservableGauge("docengine.renderer.capacity", () => Renderers.Sum(r => r.Key.Slots.Capacity), "{process}",
            "mutool processes allowed at once (DocEngine:Previews:Concurrency).");
    }

    /// <summary>Counts <paramref name="bytes"/> of upload accepted into a session.</summary>
    public static void UploadReceived(long bytes) => UploadBytes.Add(bytes);

    /// <summary>Counts <paramref name="bytes"/> of a document or rendition sent to a client.</summary>
    public static void DownloadSent(long bytes) => DownloadBytes.Add(bytes);

    /// <summary>Counts one rendition stored, tagged <c>kind</c> with its media type (a handful of values).</summary>
    public static void RenditionMade(string mediaType) => Renditions.Add(1, new KeyValuePair<string, object?>("kind", mediaType));

    /// <summary>Reports <paramref name="renderer"/>'s slots in the renderer gauges for as long as it lives.</summary>
    public static void ObserveRenderer(MutoolRenderer renderer) => Renderers.AddOrUpdate(renderer, null);
}
