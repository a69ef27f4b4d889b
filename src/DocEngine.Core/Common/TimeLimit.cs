namespace DocEngine.Core.Common;

/// <summary>
/// Runs CPU-bound document work on the thread pool under <see cref="ProcessingOptions.MaxProcessingTime"/>. The decoders
/// cannot be interrupted mid-image, so on timeout the caller is answered at once while the abandoned work, bounded by the
/// pixel and frame limits, runs out on its own.
/// </summary>
public static class TimeLimit
{
    /// <summary>Runs <paramref name="work"/>; a timeout is RESOURCE_EXHAUSTED with a sentence.</summary>
    public static Task<T> RunAsync<T>(Func<CancellationToken, T> work, TimeSpan limit, CancellationToken cancellationToken) =>
        RunAsync(work, limit, cancellationToken, () => new DocEngineException(ErrorKind.ResourceExhausted, "PROCESSING_TIMEOUT",
            $"This document took longer than {limit.TotalSeconds:0} seconds to process: split it into smaller files, or scan it at a lower resolution."));

    /// <summary>Runs <paramref name="work"/> with a deadline on <paramref name="time"/>; a timeout throws <paramref name="refusal"/>.</summary>
    public static async Task<T> RunAsync<T>(Func<CancellationToken, T> work, TimeSpan limit, CancellationToken cancellationToken,
        Func<DocEngineException> refusal, TimeProvider? time = null)
    {
        using var expiry = new CancellationTokenSource(limit, time ?? TimeProvider.System);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, expiry.Token);
        try
        {
            return await Task.Run(() => work(deadline.Token), deadline.Token).WaitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw refusal();
        }
    }
}
