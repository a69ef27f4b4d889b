namespace DocEngine.Core.Common;

/// <summary>What kind of refusal an error is; the server maps each kind to one gRPC status code.</summary>
public enum ErrorKind
{
    /// <summary>The request itself is wrong.</summary>
    InvalidArgument,
    /// <summary>The request is valid but the resource is not in a state that allows it.</summary>
    FailedPrecondition,
    /// <summary>A configured limit was reached.</summary>
    ResourceExhausted,
    /// <summary>A position or range lies outside the resource.</summary>
    OutOfRange,
    /// <summary>The resource does not exist for this caller.</summary>
    NotFound,
    /// <summary>The resource already exists.</summary>
    AlreadyExists,
    /// <summary>A concurrent call holds the resource; retrying later may succeed.</summary>
    Aborted,
    /// <summary>Stored bytes no longer match their hash.</summary>
    DataLoss,
    /// <summary>The caller did not prove who it is.</summary>
    Unauthenticated,
    /// <summary>The caller is known but may not make this call (an applicant token asking for a tenant-wide call).</summary>
    PermissionDenied,
    /// <summary>A part the service depends on (its database, its object store) cannot be reached just now; retrying later works.</summary>
    Unavailable,
}

/// <summary>
/// A refusal a person can act on: <see cref="Exception.Message"/> is one sentence saying what to do next,
/// <see cref="Reason"/> is a stable UPPER_SNAKE_CASE code for programs.
/// </summary>
public sealed class DocEngineException(ErrorKind kind, string reason, string message) : Exception(message)
{
    /// <summary>The kind of refusal.</summary>
    public ErrorKind Kind { get; } = kind;

    /// <summary>Stable machine-readable reason, for example <c>UPLOAD_OFFSET_MISMATCH</c>.</summary>
    public string Reason { get; } = reason;

    /// <summary>The request field at fault, in proto field-name form, when one is.</summary>
    public string? Field { get; init; }

    /// <summary>How long to wait before retrying, when waiting is what helps (a rate limit); sent as <c>google.rpc.RetryInfo</c>.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>The failure behind the refusal, for the server's log; never shown to the caller.</summary>
    public Exception? Cause { get; init; }

    /// <summary>Extra facts for programs, for example the current offset.</summary>
    public IReadOnlyDictionary<string, string> Details { get; init; } = new Dictionary<string, string>();
}
