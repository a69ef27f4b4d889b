using System.Diagnostics;
using System.Threading.Channels;

namespace DocEngine.Core.Batch;

/// <summary>
/// Runs a batch: resumes the report, then streams the source through a bounded channel to <see cref="BatchOptions.Concurrency"/>
/// workers, each running <see cref="BatchWork"/> on one input at a time and appending its line. Memory holds at most
/// the channel's few inputs plus the ones being worked on, however large the corpus. Inputs that already have their line
/// are skipped without reading them.
/// </summary>
public sealed class BatchRunner(BatchOptions options, IBatchResultStore results, IBatchReport report)
{
    private readonly Stopwatch _clock = new();
    private long _alreadyReported, _appended, _ok, _refused, _failed, _attention, _processed, _reused, _bytesIn, _bytesOut, _total = -1;
    private BatchTally _kept = new(0, 0, 0, 0);

    /// <summary>Live counts, safe to read from another thread while the batch runs.</summary>
    public BatchProgress Progress => new(
        Done: Interlocked.Read(ref _alreadyReported) + Interlocked.Read(ref _appended),
        Processed: Interlocked.Read(ref _processed),
        Refused: Volatile.Read(ref _kept).Refused + Interlocked.Read(ref _refused),
        Failed: Volatile.Read(ref _kept).Failed + Interlocked.Read(ref _failed),
        Attention: Volatile.Read(ref _kept).Attention + Interlocked.Read(ref _attention),
        Skipped: Interlocked.Read(ref _alreadyReported) + Interlocked.Read(ref _reused),
        Total: Interlocked.Read(ref _total) is var total and >= 0 ? total : null,
        Elapsed: _clock.Elapsed);

    /// <summary>Runs the batch over <paramref name="source"/> and records its summary; cancelling stops it where a rerun resumes.</summary>
    public async Task<BatchSummary> RunAsync(IBatchSource source, CancellationToken cancellationToken)
    {
        using var work = new BatchWork(options, results);
        _clock.Restart();
        var kept = await report.ResumeAsync(options.Keys(), results, cancellationToken).ConfigureAwait(false);
        Volatile.Write(ref _kept, kept);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // A little slack per worker, so no worker waits on the walk, and no more: the walk stays lazy.
        var channel = Channel.CreateBounded<BatchInput>(new BoundedChannelOptions(options.Concurrency * 2) { SingleWriter = true });
        var tasks = Enumerable.Range(0, options.Concurrency)
            .Select(_ => StopAllOnFailureAsync(() => ConsumeAsync(channel.Reader, work, stop.Token), stop))
            .Prepend(StopAllOnFailureAsync(() => ProduceAsync(source, channel.Writer, stop.Token), stop))
            .ToList();
        var counting = CountAsync(source, stop.Token);
        try
        {
            await Task.WhenAll(tasks).ConfigureAwait(false);
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await counting.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        var elapsed = _clock.Elapsed.TotalSeconds;
        var summary = new BatchSummary(
            Files: kept.Ok + kept.Attention + kept.Refused + kept.Failed + _appended,
            Ok: kept.Ok + _ok,
            Attention: kept.Attention + _attention,
            Refused: kept.Refused + _refused,
            Failed: kept.Failed + _failed,
            Processed: _processed,
            Skipped: _alreadyReported + _reused,
            BytesIn: _bytesIn,
            BytesOut: _bytesOut,
            ElapsedSeconds: Math.Round(elapsed, 3),
            DocsPerSecond: elapsed > 0 ? Math.Round(_processed / elapsed, 2) : 0,
            Ops: options.Ops,
            Concurrency: options.Concurrency,
            MaxBytes: options.MaxBytes);
        await report.CompleteAsync(summary, cancellationToken).ConfigureAwait(false);
        return summary;
    }

    /// <summary>Runs <paramref name="body"/> on the thread pool; when it fails (the disk, the walk), the other workers stop too.</summary>
    private static async Task StopAllOnFailureAsync(Func<Task> body, CancellationTokenSource stop)
    {
        try
        {
            await Task.Run(body, stop.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await stop.CancelAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static async Task ProduceAsync(IBatchSource source, ChannelWriter<BatchInput> writer, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var input in source.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                await writer.WriteAsync(input, cancellationToken).ConfigureAwait(false);
            }
            writer.Complete();
        }
        catch (Exception e)
        {
            writer.Complete(e);
            throw;
        }
    }

    private async Task ConsumeAsync(ChannelReader<BatchInput> reader, BatchWork work, CancellationToken cancellationToken)
    {
        await foreach (var input in reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            if (report.Contains(input.Name))
            {
                Interlocked.Increment(ref _alreadyReported);
                continue;
            }
            var item = await work.RunAsync(input, cancellationToken).ConfigureAwait(false);
            await report.AppendAsync(item.Line, cancellationToken).ConfigureAwait(false);
            if (item.Worked)
            {
                Interlocked.Increment(ref _processed);
                Interlocked.Add(ref _bytesIn, input.Length);
                Interlocked.Add(ref _bytesOut, item.BytesOut);
            }
            else
            {
                // Every result stored, but no line yet: a duplicate of another input's content, or a kill between the two.
                Interlocked.Increment(ref _reused);
            }
            switch (item.Line.Outcome)
            {
                case BatchOutcome.Refused:
                    Interlocked.Increment(ref _refused);
                    break;
                case BatchOutcome.Failed:
                    Interlocked.Increment(ref _failed);
                    break;
                case BatchOutcome.Attention:
                    Interlocked.Increment(ref _attention);
                    break;
                default:
                    Interlocked.Increment(ref _ok);
                    break;
            }
            Interlocked.Increment(ref _appended);
        }
    }

    private async Task CountAsync(IBatchSource source, CancellationToken cancellationToken)
    {
        try
        {
            if (await source.CountAsync(cancellationToken).ConfigureAwait(false) is { } total)
            {
                Interlocked.Exchange(ref _total, total);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or UnauthorizedAccessException)
        {
            // Only the ETA depends on it.
        }
    }
}
