namespace DocEngine.Cli.Commands.Bench;

/// <summary>What a bench run measured: the counted requests, the failures by gRPC status, throughput and latency.</summary>
internal sealed record BenchResult(
    long Requests, IReadOnlyDictionary<string, long> Errors, double RequestsPerSecond, double MegabytesPerSecond,
    double P50, double P90, double P99, double Max, TimeSpan Elapsed);

/// <summary>
/// Collects the counted requests from every caller at once. Latencies of successful requests are kept whole, for exact
/// percentiles at the end, and also in a log histogram that the live progress line reads without sorting.
/// </summary>
internal sealed class LatencyRecorder
{
    // 16 buckets per doubling of microseconds: the live p50 is within about 4%, which a progress line can afford.
    private const int BucketsPerDoubling = 16;

    private readonly Lock _gate = new();
    private readonly List<double> _millis = new(1 << 16);
    private readonly long[] _histogram = new long[BucketsPerDoubling * 48];
    private readonly SortedDictionary<string, long> _errors = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _firstMessage = new(StringComparer.Ordinal);
    private long _requests;
    private long _failures;
    private long _bytes;

    /// <summary>A request that succeeded, with the bytes it counts towards MB/s.</summary>
    public void Success(TimeSpan latency, long bytes)
    {
        var bucket = Math.Min(_histogram.Length - 1, (int)(Math.Log2(1 + latency.Ticks / 10.0) * BucketsPerDoubling));
        lock (_gate)
        {
            _requests++;
            _bytes += bytes;
            _millis.Add(latency.TotalMilliseconds);
            _histogram[bucket]++;
        }
    }

    /// <summary>A request that failed with <paramref name="status"/> (e.g. "RESOURCE_EXHAUSTED"); the first message per status is kept.</summary>
    public void Failure(string status, string message)
    {
        lock (_gate)
        {
            _requests++;
            _failures++;
            _errors[status] = _errors.GetValueOrDefault(status) + 1;
            _firstMessage.TryAdd(status, message);
        }
    }

    /// <summary>Requests, errors and the approximate p50 in milliseconds so far, for the progress line.</summary>
    public (long Requests, long Errors, double P50) Snapshot()
    {
        lock (_gate)
        {
            var successes = _requests - _failures;
            if (successes == 0)
            {
                return (_requests, _failures, 0);
            }
            long seen = 0;
            var bucket = 0;
            for (; bucket < _histogram.Length; bucket++)
            {
                seen += _histogram[bucket];
                if (seen * 2 >= successes)
                {
                    break;
                }
            }
            return (_requests, _failures, (Math.Pow(2, (bucket + 0.5) / BucketsPerDoubling) - 1) / 1000);
        }
    }

    /// <summary>Each failing status with the first message it came with, to say on stderr why requests failed.</summary>
    public IReadOnlyList<(string Status, long Count, string Message)> ErrorSamples()
    {
        lock (_gate)
        {
            return [.. _errors.Select(e => (e.Key, e.Value, _firstMessage[e.Key]))];
        }
    }

    /// <summary>
    /// The report over <paramref name="elapsed"/>, the measured window. Percentiles are of successful requests only (a
    /// refusal answered at once would otherwise flatter them), by nearest rank, so p50 ≤ p90 ≤ p99 ≤ max always holds.
    /// </summary>
    public BenchResult Result(TimeSpan elapsed)
    {
        lock (_gate)
        {
            var sorted = _millis.ToArray();
            Array.Sort(sorted);
            var seconds = Math.Max(elapsed.TotalSeconds, 1e-9);
            return new BenchResult(_requests, new SortedDictionary<string, long>(_errors, StringComparer.Ordinal),
                _requests / seconds, _bytes / 1e6 / seconds,
                Percentile(sorted, 0.50), Percentile(sorted, 0.90), Percentile(sorted, 0.99), sorted.Length > 0 ? sorted[^1] : 0, elapsed);
        }
    }

    private static double Percentile(double[] sorted, double fraction) =>
        sorted.Length == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(fraction * sorted.Length) - 1, 0, sorted.Length - 1)];
}
