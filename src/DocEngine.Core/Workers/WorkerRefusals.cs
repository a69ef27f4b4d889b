namespace DocEngine.Core.Workers;

/// <summary>The sentences a caller reads when the worker reading its document broke a limit or died.</summary>
public static class WorkerRefusals
{
    /// <summary>The document needed more memory than a worker may use.</summary>
    public static DocEngineException OutOfMemory() => new(ErrorKind.ResourceExhausted, "DOCUMENT_TOO_LARGE_IN_MEMORY",
        "Reading this file needed more memory than one document may use: split it into smaller files, or scan or export it at a lower resolution.");

    /// <summary>The document's structure crashed the reader (a stack overflow, a native fault).</summary>
    public static DocEngineException Crashed() => new(ErrorKind.InvalidArgument, "UNREADABLE_STRUCTURE",
        "This file's structure is too deeply nested or too damaged to read safely: open it in the program that made it and save or export it again, then upload that.");

    /// <summary>The worker was stopped from outside (killed by an operator or the system) while it read the document.</summary>
    public static DocEngineException Lost() => new(ErrorKind.Aborted, "WORKER_LOST",
        "The process reading this document was stopped from outside before it finished: try again.");

    /// <summary>No worker could be started (a broken installation).</summary>
    public static DocEngineException CannotStart(string why) => new(ErrorKind.FailedPrecondition, "WORKER_UNAVAILABLE",
        $"The server cannot start the sandboxed process that reads documents ({why}): tell the operators; nothing you sent was lost.");

    /// <summary>
    /// What the end of a sandboxed process that was reading a document means, from its exit status and the end of what
    /// it wrote to stderr: out of memory, the kernel's CPU-time limit (<paramref name="timeout"/>), killed from outside,
    /// or else a crash (a native fault or a stack overflow).
    /// </summary>
    public static DocEngineException ForExit(int exitCode, string stderrTail, DocEngineException timeout) =>
        stderrTail.Contains("OutOfMemory", StringComparison.Ordinal) || stderrTail.Contains("Out of memory", StringComparison.OrdinalIgnoreCase)
            ? OutOfMemory()
            : exitCode switch
            {
                128 + 24 => timeout, // SIGXCPU: the kernel's CPU-time limit
                128 + 9 or 128 + 15 => Lost(), // SIGKILL or SIGTERM, not from us: an operator or the OOM killer
                _ => Crashed(),
            };
}
