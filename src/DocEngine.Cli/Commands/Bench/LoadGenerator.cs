using System.Diagnostics;
using Grpc.Core;

namespace DocEngine.Cli.Commands.Bench;

/// <summary>
/// Runs the callers of a bench run: each makes one request after another until the run ends. A request counts when it
/// starts after the warmup; the run stops issuing requests once the duration has passed or the requested number has
/// been issued, lets the counted ones in flight finish (they count), and cancels warmup ones still running.
/// </summary>
internal sealed class LoadGenerator(BenchSettings settings, BenchChannels channels, LatencyRecorder recorder)
{
    private readonly Stopwatch _clock = new();
    private CancellationTokenSource _uncounted = new();
    private long _issued;
    private long _lastCompletionTicks;

    /// <summary>Time since the measured window opened (zero during the warmup).</summary>
    public TimeSpan Measured => _clock.Elapsed > settings.Warmup ? _clock.Elapsed - settings.Warmup : TimeSpan.Zero;

    /// <summary>True while requests are not yet being counted.</summary>
    public bool WarmingUp => _clock.Elapsed < settings.Warmup;

    /// <summary>Warmup time left.</summary>
    public TimeSpan WarmupLeft => WarmingUp ? settings.Warmup - _clock.Elapsed : TimeSpan.Zero;

    /// <summary>
    /// Drives <paramref name="request"/> from every caller and returns the measured window: from the end of the warmup to
    /// the last counted request's completion. Cancelling stops at once; requests cut off that way are not counted.
    /// </summary>
    public async Task<TimeSpan> RunAsync(BenchRequest request, CancellationToken cancellationToken)
    {
        using var uncounted = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _uncounted = uncounted;
        _clock.Start();
        var callers = Enumerable.Range(0, settings.Concurrency)
            .Select(caller => Task.Run(() => CallAsync(request, channels.For(caller), cancellationToken), CancellationToken.None));
        await Task.WhenAll(callers);
        var last = TimeSpan.FromTicks(Interlocked.Read(ref _lastCompletionTicks));
        return last > settings.Warmup ? last - settings.Warmup : TimeSpan.Zero;
    }

    private async Task CallAsync(BenchRequest request, CallInvoker invoker, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var started = _clock.Elapsed;
            var counted = started >= settings.Warmup;
            if (counted && (started - settings.Warmup >= settings.Duration || Interlocked.Increment(ref _issued) > settings.Requests))
            {
                // A slow warmup request still running (a big scan can take longer than the whole run) would only delay the report.
                await _uncounted.CancelAsync();
                return;
            }
            try
            {
                var bytes = await request(invoker, counted ? cancellationToken : _uncounted.Token);
                if (counted)
                {
                    recorder.Success(Completed() - started, bytes);
                }
            }
            catch (Exception) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (RpcException e)
            {
                Fail(counted, StatusName(e.StatusCode), e.Status.Detail);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // Not an RPC status (e.g. a reply that broke the protocol): counted as UNKNOWN, with the client's reason.
                Fail(counted, StatusName(StatusCode.Unknown), $"client: {e.GetType().Name}: {e.Message}");
            }
        }
    }

    private void Fail(bool counted, string status, string message)
    {
        if (counted)
        {
            Completed();
            recorder.Failure(status, message);
        }
    }

    private TimeSpan Completed()
    {
        var now = _clock.Elapsed;
        var seen = Interlocked.Read(ref _lastCompletionTicks);
        while (now.Ticks > seen)
        {
            var before = Interlocked.CompareExchange(ref _lastCompletionTicks, now.Ticks, seen);
            if (before == seen)
            {
                break;
            }
            seen = before;
        }
        return now;
    }

    /// <summary>The status as gRPC spells it: ResourceExhausted becomes "RESOURCE_EXHAUSTED".</summary>
    public static string StatusName(StatusCode code) => code == StatusCode.OK
        ? "OK"
        : string.Concat(code.ToString().Select((c, i) => i > 0 && char.IsUpper(c) ? "_" + c : char.ToUpperInvariant(c).ToString()));
}
