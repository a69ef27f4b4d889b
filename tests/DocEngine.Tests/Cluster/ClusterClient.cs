using System.Net;
using System.Text.RegularExpressions;
using DocEngine.Contract.V1;
using DocEngine.Tests.Infrastructure;
using Google.Protobuf;
using Grpc.Core;

namespace DocEngine.Tests.Cluster;

/// <summary>
/// A client that uploads the way a careful portal would against a cluster: a stream through the balancer, and after any
/// failure a look at the durable offset and a resume from there. It records every offset the server acknowledged and
/// checks that no resume ever starts before one of them.
/// </summary>
internal sealed partial class ResumingUploader(CallInvoker invoker, byte[] data, int chunkSize = 1 << 20)
{
    private readonly UploadService.UploadServiceClient _client = new(invoker);

    public string? Session { get; private set; }

    /// <summary>The largest offset the server reported durable.</summary>
    public long Acknowledged { get; private set; }

    /// <summary>Failures seen on the way (status and sentence), each followed by a resume.</summary>
    public List<RpcException> Failures { get; } = [];

    /// <summary>Called after each acknowledgement, for tests that act mid-upload (kill a node, stop a store).</summary>
    public Func<long, Task>? OnProgress { get; init; }

    /// <summary>
    /// At most this many bytes a second are sent (0: as fast as the stream takes them), so that an action taken at one
    /// acknowledgement still finds the upload running: on a fast machine an unthrottled stream can be finished before an
    /// outage the test started has even begun.
    /// </summary>
    public long BytesPerSecond { get; init; }

    public async Task<Document> RunAsync(TimeSpan deadline)
    {
        var until = DateTime.UtcNow + deadline;
        while (true)
        {
            Assert.True(DateTime.UtcNow < until, $"The upload did not finish in {deadline}; failures: {string.Join(" | ", Failures.Select(f => f.Status))}");
            try
            {
                return await StreamAsync();
            }
            catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.Aborted or StatusCode.Internal or StatusCode.Cancelled)
            {
                Failures.Add(e);
                await Task.Delay(500);
            }
        }
    }

    private async Task<Document> StreamAsync()
    {
        long offset = 0;
        if (Session is not null)
        {
            var status = (await _client.GetUploadStatusAsync(new GetUploadStatusRequest { Name = Session })).Session;
            Assert.True(status.CommittedOffset >= Acknowledged,
                $"The server acknowledged {Acknowledged} bytes but now reports {status.CommittedOffset} durable: an acknowledged byte was lost.");
            offset = status.CommittedOffset;
            if (status.State == UploadState.Completed)
            {
                return (await _client.CompleteUploadAsync(new CompleteUploadRequest { Name = Session })).Document;
            }
        }
        using var call = _client.Upload(deadline: DateTime.UtcNow.AddMinutes(3));
        await call.RequestStream.WriteAsync(Session is null
            ? new UploadRequest { Start = new UploadMetadata { Filename = "cluster.bin", SizeBytes = data.Length } }
            : new UploadRequest { Resume = new UploadResume { Name = Session, Offset = offset } });
        Assert.True(await call.ResponseStream.MoveNext());
        Session ??= call.ResponseStream.Current.Session.Name;
        var responses = Task.Run(async () =>
        {
            Document? document = null;
            await foreach (var response in call.ResponseStream.ReadAllAsync())
            {
                if (response.KindCase == UploadResponse.KindOneofCase.Progress)
                {
                    Acknowledged = Math.Max(Acknowledged, response.Progress.CommittedOffset);
                    if (OnProgress is { } act)
                    {
                        await act(Acknowledged);
                    }
                }
                else if (response.KindCase == UploadResponse.KindOneofCase.Document)
                {
                    document = response.Document;
                }
            }
            return document;
        });
        try
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            for (var position = offset; position < data.Length && !responses.IsCompleted; position += chunkSize)
            {
                var chunk = data.AsMemory((int)position, (int)Math.Min(chunkSize, data.Length - position));
                await call.RequestStream.WriteAsync(new UploadRequest { Chunk = Clients.Chunk(chunk) });
                if (BytesPerSecond > 0 && TimeSpan.FromSeconds((double)(position + chunk.Length - offset) / BytesPerSecond) - clock.Elapsed is { Ticks: > 0 } ahead)
                {
                    await Task.Delay(ahead);
                }
            }
            if (!responses.IsCompleted)
            {
                await call.RequestStream.WriteAsync(new UploadRequest { Finish = new UploadFinish { Sha256 = TestData.Sha256(data) } });
                await call.RequestStream.CompleteAsync();
            }
        }
        catch (Exception e) when (e is RpcException or InvalidOperationException or IOException)
        {
            // The call broke while sending; its status comes from the response side below.
        }
        return await responses ?? throw new RpcException(new Status(StatusCode.Unavailable, "The stream ended without a document."));
    }
}

/// <summary>Reads a node's Prometheus metrics (HTTP/2 prior knowledge, as the gRPC listener speaks).</summary>
internal static partial class NodeMetrics
{
    public static async Task<double> ReadAsync(string nodeUrl, string metric)
    {
        using var http = new HttpClient { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
        var text = await http.GetStringAsync(nodeUrl + "/metrics");
        return Sample().Matches(text).Where(m => m.Groups[1].Value == metric).Sum(m => double.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture));
    }

    [GeneratedRegex(@"^(\w+)(?:\{[^}]*\})? ([0-9.eE+-]+)$", RegexOptions.Multiline)]
    private static partial Regex Sample();
}
