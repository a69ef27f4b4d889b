namespace DocEngine.Core.Workers;

/// <summary>
/// The pool of worker processes that parse what applicants send (section <c>DocEngine:Workers</c>): how many, how long
/// each lives, and the kernel limits each runs under. A worker that breaches a limit is killed and replaced; the caller
/// gets a sentence.
/// </summary>
public sealed class WorkerOptions
{
    /// <summary>Workers kept warm, and so jobs at once. Default: the number of cores, at least 2.</summary>
    public int Count { get; set; } = Math.Max(2, Environment.ProcessorCount);

    /// <summary>
    /// Jobs one worker runs before it is replaced by a fresh one (state a decoder leaks dies with it). Default 1000: a fresh
    /// worker compiles every code path again on first use, and at 200 that cost 15–17 % of the work on the shared corpus
    /// (benchmarks/README.md, "Workers (issue 15)").
    /// </summary>
    public int JobsPerWorker { get; set; } = 1000;

    /// <summary>
    /// Address-space limit of each worker in MiB (RLIMIT_AS). Default 4096: the runtime reserves address space well beyond
    /// what it uses, so this is a backstop for native decoders; <see cref="HeapLimitMegabytes"/> bounds what documents may allocate.
    /// </summary>
    public int MemoryLimitMegabytes { get; set; } = 4096;

    /// <summary>Most managed memory a worker may hold (the GC's hard limit), in MiB. Default 1536: above the decoders' own 1 GiB pixel budget.</summary>
    public int HeapLimitMegabytes { get; set; } = 1536;

    /// <summary>Most files a worker may have open at once (RLIMIT_NOFILE). Default 256.</summary>
    public int OpenFiles { get; set; } = 256;

    /// <summary>The kernel limits a worker starts under: address space and open files, and no network.</summary>
    public Sandbox.SandboxLimits Limits() => new((long)MemoryLimitMegabytes << 20, null, OpenFiles, NoNetwork: true);

    /// <summary>
    /// The environment every process that reads documents for the pool starts with (the rest is emptied): the GC's
    /// heap limit, no diagnostics socket, and no system certificate store. A signature's chain is built only from the
    /// certificates the document carries and the trust anchors, never from the machine's CA bundle, so a verdict reads
    /// the same on every machine; and a fresh process does not load the bundle's ~150 files for its first check (90 ms
    /// of a one-shot `docengine verify`, benchmarks/README.md).
    /// </summary>
    public Dictionary<string, string> SandboxEnvironment() => new()
    {
        ["DOTNET_GCHeapHardLimit"] = ((long)HeapLimitMegabytes << 20).ToString("X", System.Globalization.CultureInfo.InvariantCulture),
        ["DOTNET_EnableDiagnostics"] = "0", // no debugger or diagnostics socket in the sandbox
        ["SSL_CERT_FILE"] = "/dev/null",
        ["SSL_CERT_DIR"] = "/dev/null",
    };

    /// <summary>
    /// Warm a worker up before it takes jobs: it decodes a tiny image, PDF and signature check of its own, so the
    /// first document it reads does not pay, on its clock, for compiling the decoders. Default true; the one-shot CLI
    /// turns it off (its one job compiles the same code).
    /// </summary>
    public bool WarmUp { get; set; } = true;

    /// <summary>Longest a worker may take to start, warm up and say it is ready. Default 2 minutes (a heavily loaded machine).</summary>
    public TimeSpan StartTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Run jobs in this process instead of in workers. For unit tests only: a stack overflow or a runaway decoder then
    /// takes the whole process down, which is what the workers exist to prevent.
    /// </summary>
    public bool InProcess { get; set; }

    /// <summary>
    /// For tests only: a worker whose input holds the text <c>DOCENGINE-TEST-FAULT:</c> followed by <c>hang</c>,
    /// <c>allocate</c>, <c>overflow</c> or <c>crash</c> does that instead of the job. Off by default.
    /// </summary>
    public bool TestFaults { get; set; }

    /// <summary>The worker program (DocEngine.Worker.dll); default: beside this program.</summary>
    public string? WorkerPath { get; set; }
}
