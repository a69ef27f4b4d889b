using System.Text.Json.Serialization;

namespace DocEngine.Core.Workers;

/// <summary>
/// One piece of untrusted parsing, sent to a worker process as JSON and run there: a record of plain data (paths, not
/// streams; options, not services) whose <see cref="RunAsync"/> does the work. Inputs and outputs are files in a
/// directory both processes see, so no document crosses the pipe.
/// </summary>
public abstract record WorkerJob
{
    /// <summary>Longest the job may run once a worker has taken it; past it the worker is killed.</summary>
    public abstract TimeSpan TimeLimit();

    /// <summary>The refusal a caller gets when the job runs past <see cref="TimeLimit"/>.</summary>
    public virtual DocEngineException Timeout() => new(ErrorKind.ResourceExhausted, "PROCESSING_TIMEOUT",
        $"This document took longer than {TimeLimit().TotalSeconds:0} seconds to process: split it into smaller files, or scan it at a lower resolution.");

    /// <summary>The files the job reads (checked for the test faults when they are on).</summary>
    public abstract IEnumerable<string> Inputs();

    /// <summary>The type of what <see cref="RunAsync"/> returns.</summary>
    [JsonIgnore]
    public abstract Type ResultType { get; }

    /// <summary>Runs the job here, in whichever process this is.</summary>
    public abstract Task<object?> RunAsync(WorkerContext context, CancellationToken cancellationToken);
}

/// <summary>A job whose result is a <typeparamref name="TResult"/>.</summary>
public abstract record WorkerJob<TResult> : WorkerJob
{
    /// <inheritdoc />
    [JsonIgnore]
    public override Type ResultType => typeof(TResult);

    /// <summary>Does the work.</summary>
    public abstract Task<TResult> ExecuteAsync(WorkerContext context, CancellationToken cancellationToken);

    /// <inheritdoc />
    public override async Task<object?> RunAsync(WorkerContext context, CancellationToken cancellationToken) =>
        await ExecuteAsync(context, cancellationToken).ConfigureAwait(false);
}

/// <summary>
/// What a job may keep between jobs in one process: built engines (decoder configurations with pooled memory), one per
/// kind and options. A worker receives its options anew with each job, so it tells them apart by what
/// <paramref name="describe"/> makes of them (their JSON); without it, options are told apart by equality, as where
/// the same options objects are passed (<see cref="SandboxRunner"/>).
/// </summary>
public sealed class WorkerContext(Func<object, string>? describe = null)
{
    private readonly Dictionary<object, object> _shared = [];
    private readonly Lock _lock = new();

    /// <summary>The <typeparamref name="T"/> made from <paramref name="options"/>, made by <paramref name="create"/> the first time these options are seen.</summary>
    public T Shared<T>(object options, Func<T> create) where T : class
    {
        object key = describe is null ? (typeof(T), options) : typeof(T).FullName + describe(options);
        lock (_lock)
        {
            if (!_shared.TryGetValue(key, out var value))
            {
                _shared[key] = value = create();
            }
            return (T)value;
        }
    }
}
