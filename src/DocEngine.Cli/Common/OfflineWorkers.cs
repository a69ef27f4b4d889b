using DocEngine.Core.Workers;

namespace DocEngine.Cli.Common;

/// <summary>
/// The sandboxed workers an offline command decodes in (the same boundary as the server's), with a scratch folder of
/// their own; disposing kills them and deletes the folder. Started as soon as a command knows it will need them, so
/// the worker's start-up overlaps the command's own.
/// </summary>
internal sealed class OfflineWorkers : IAsyncDisposable
{
    private readonly DirectoryInfo _scratch;

    private OfflineWorkers(int count)
    {
        _scratch = Directory.CreateTempSubdirectory("docengine-work-");
        Pool = WorkerPool.Start(new WorkerOptions { Count = Math.Max(1, count), WarmUp = false }, _scratch.FullName);
    }

    public WorkerPool Pool { get; }

    /// <summary>A folder for this command's scratch files, which the workers can read and write.</summary>
    public string Scratch => _scratch.FullName;

    /// <summary>The pool, already started when one worker is wanted and <see cref="Prestart"/> started it.</summary>
    public static OfflineWorkers Start(int count = 1) =>
        count <= 1 && Interlocked.Exchange(ref _prestarted, null) is { } ready ? ready : new(count);

    private static OfflineWorkers? _prestarted;

    /// <summary>True for the pool <see cref="Prestart"/> started.</summary>
    internal bool WasPrestarted { get; private init; }

    /// <summary>
    /// Starts the worker an offline <c>verify</c>, <c>preview</c>, <c>inspect</c> or <c>process</c> of a local file will
    /// need as the process starts, so that the worker's start-up (a second .NET process) runs beside the CLI's own
    /// instead of after it (issue 18). Nothing is started for other commands, for <c>--server</c> or for help.
    /// </summary>
    public static void Prestart(string[] args)
    {
        if (args is [("verify" or "preview" or "inspect" or "process"), .. var rest]
            && !rest.Any(a => a.StartsWith("--server", StringComparison.Ordinal) || a is "--help" or "-h" or "-?")
            && rest.Any(a => !a.StartsWith('-') && File.Exists(a)))
        {
            _prestarted = new OfflineWorkers(1) { WasPrestarted = true };
        }
    }

    /// <summary>Stops a prestarted worker that no command took (a usage error, or a command that needed none).</summary>
    public static async ValueTask DisposeUnclaimedAsync()
    {
        if (Interlocked.Exchange(ref _prestarted, null) is { } unclaimed)
        {
            await unclaimed.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Pool.DisposeAsync();
        try
        {
            _scratch.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A worker that was just killed may still hold a file open for a moment; the folder is in the temp area.
        }
    }
}
