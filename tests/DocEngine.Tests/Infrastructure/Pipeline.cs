using DocEngine.Core.Imaging;
using DocEngine.Core.Processing;

namespace DocEngine.Tests.Infrastructure;

/// <summary>The core's inspector and processor with default limits, run on files the way the CLI runs them offline.</summary>
public static class Pipeline
{
    public static ImagingConfiguration Configuration { get; } = new(new ProcessingOptions());

    /// <summary>Jobs run in the test process (through the same JSON a worker would return): for unit tests of what runs inside a worker.</summary>
    public static global::DocEngine.Core.Workers.WorkerPool Workers { get; } = global::DocEngine.Core.Workers.WorkerPool.InProcess();

    public static DocumentInfo Inspect(string path, string? password = null)
    {
        using var content = File.OpenRead(path);
        return new DocumentInspector(Configuration, new ProcessingOptions()).Inspect(content, Path.GetFileName(path), password, CancellationToken.None);
    }

    public static DocumentInfo Inspect(byte[] bytes, string name, string? password = null) =>
        new DocumentInspector(Configuration, new ProcessingOptions()).Inspect(new MemoryStream(bytes), name, password, CancellationToken.None);

    public static (byte[] Output, ProcessingOutcome Outcome) Process(ProcessingRequest request, params string[] paths)
    {
        var inputs = paths.Select(p => new ProcessingInput(new MemoryStream(File.ReadAllBytes(p)), Path.GetFileName(p))).ToList();
        return ProcessInputs(request, inputs);
    }

    public static (byte[] Output, ProcessingOutcome Outcome) Process(ProcessingRequest request, byte[] bytes, string name) =>
        ProcessInputs(request, [new ProcessingInput(new MemoryStream(bytes), name)]);

    public static (byte[] Output, ProcessingOutcome Outcome) ProcessInputs(ProcessingRequest request, List<ProcessingInput> inputs)
    {
        using var output = new MemoryStream();
        var outcome = new DocumentProcessor(Configuration).Process(inputs, request, output, CancellationToken.None);
        return (output.ToArray(), outcome);
    }

    /// <summary>Asserts the call is refused with the given kind and reason, and a sentence.</summary>
    public static DocEngineException Refused(ErrorKind kind, Action call, string? reason = null)
    {
        var refusal = Assert.Throws<DocEngineException>(call);
        Assert.Equal(kind, refusal.Kind);
        if (reason is not null)
        {
            Assert.Equal(reason, refusal.Reason);
        }
        Assert.Matches("^[A-Z][^\\n]+[.:]", refusal.Message);
        return refusal;
    }
}
