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

    public static OfflineWorkers Start(int count = 1) => new(count);

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
