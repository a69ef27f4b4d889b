using System.Globalization;
using System.Text.Json;
using DocEngine.Cli.Common;
using DocEngine.Contract.V1;
using DocEngine.Core.Batch;
using Grpc.Core;
using Spectre.Console;

namespace DocEngine.Cli.Commands;

/// <summary>
/// <c>docengine batch --server URL (--application ID | --all) [--ops …] [--max-bytes N] [--json]</c>: starts a batch over
/// the tenant's stored documents on the server (every node of a cluster works on it), watches it with a progress bar, and
/// prints the same summary as the offline batch. The watch survives a node going away (it asks again through the
/// balancer); Ctrl-C stops watching, not the batch.
/// </summary>
internal static class ServerBatch
{
    /// <summary>How long the watch keeps asking while the server cannot be reached before it gives up.</summary>
    private static readonly TimeSpan UnreachableFor = TimeSpan.FromMinutes(2);

    public static async Task<BatchSummary> RunAsync(ServerConnection connection, string? applicationId, IReadOnlyList<BatchOp> ops, long? maxBytes,
        TextWriter stderr, CancellationToken cancellationToken)
    {
        var client = new BatchService.BatchServiceClient(connection.Invoker);
        var request = new StartBatchRequest { Parent = applicationId is null ? "" : "applications/" + applicationId, MaxBytes = maxBytes ?? 0 };
        request.Operations.AddRange(ops.Select(op => op switch
        {
            BatchOp.Normalize => BatchOperation.Normalize,
            BatchOp.Preview => BatchOperation.Preview,
            BatchOp.Ocr => BatchOperation.Ocr,
            _ => BatchOperation.Verify,
        }));
        var batch = (await client.StartBatchAsync(request, cancellationToken: cancellationToken)).Batch;
        await stderr.WriteLineAsync($"Started {batch.Name} over {batch.Total:N0} document(s); it runs on the server, also if this command stops.");
        batch = await Output.ProgressConsole(stderr).Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask("Batch", maxValue: Math.Max(1, batch.Total));
                return await WatchAsync(client, batch, latest =>
                {
                    task.Value = latest.Done;
                    task.Description = Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                        $"{latest.Done:N0}/{latest.Total:N0} documents · {latest.Attention:N0} attention · {latest.Refused:N0} refused · {latest.Failed:N0} failed · {latest.DocumentsPerSecond:0.#} docs/s"));
                }, cancellationToken);
            });
        var seconds = ((batch.CompleteTime ?? batch.CreateTime).ToDateTimeOffset() - batch.CreateTime.ToDateTimeOffset()).TotalSeconds;
        return new BatchSummary(batch.Total, batch.Ok, batch.Attention, batch.Refused, batch.Failed, batch.Done, 0, 0, 0, seconds,
            seconds > 0 ? batch.Done / seconds : 0, ops, 0, maxBytes);
    }

    private static async Task<Batch> WatchAsync(BatchService.BatchServiceClient client, Batch batch, Action<Batch> show, CancellationToken cancellationToken)
    {
        var failingSince = (DateTime?)null;
        while (batch.State != BatchState.Completed)
        {
            try
            {
                using var watch = client.WatchBatch(new WatchBatchRequest { Name = batch.Name }, cancellationToken: cancellationToken);
                await foreach (var update in watch.ResponseStream.ReadAllAsync(cancellationToken))
                {
                    batch = update.Batch;
                    failingSince = null;
                    show(batch);
                }
            }
            catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.Internal or StatusCode.Cancelled && !cancellationToken.IsCancellationRequested)
            {
                // A node went away under the watch: ask again (the balancer sends it elsewhere), for a while.
                failingSince ??= DateTime.UtcNow;
                if (DateTime.UtcNow - failingSince > UnreachableFor)
                {
                    throw;
                }
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            }
        }
        return batch;
    }

    /// <summary>The human summary of a server batch.</summary>
    public static string Describe(BatchSummary summary) => string.Create(CultureInfo.InvariantCulture,
        $"""
        {summary.Files:N0} documents: {summary.Ok:N0} ok, {summary.Attention:N0} attention, {summary.Refused:N0} refused, {summary.Failed:N0} failed.
        {summary.ElapsedSeconds:0.0} s, {summary.DocsPerSecond:0.##} docs/s on the server; results are renditions of each document (ListDocuments, DownloadDocument).
        """);

    /// <summary>The JSON printed with --json: the offline batch's summary shape.</summary>
    public static string Json(BatchSummary summary) => JsonSerializer.Serialize(summary, Core.Batch.FileSystemBatchStore.JsonOptions);
}
