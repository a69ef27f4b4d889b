namespace DocEngine.Core.Storage;

/// <summary>This node as storage sees it: its name (owner of its leases and slots in shared stores) and its local scratch space.</summary>
/// <param name="Name">Stable across restarts of the same node, unique within a cluster (DocEngine:NodeName; default the machine name).</param>
/// <param name="WorkDirectory">Local scratch for processing (copies of large sources, outputs before they become blobs); emptied at start.</param>
public sealed record StorageNode(string Name, string WorkDirectory)
{
    /// <summary>Creates (and empties) the scratch folder <c>work/</c> under <paramref name="dataDirectory"/>.</summary>
    public static StorageNode Open(string name, string dataDirectory)
    {
        var work = Path.Combine(Path.GetFullPath(dataDirectory), "work");
        Directory.CreateDirectory(work);
        foreach (var leftover in Directory.EnumerateFileSystemEntries(work))
        {
            if (Directory.Exists(leftover))
            {
                Directory.Delete(leftover, recursive: true);
            }
            else
            {
                File.Delete(leftover); // scratch files of work a crash interrupted
            }
        }
        return new StorageNode(name, work);
    }
}

/// <summary>A quick check that a store answers, for the server's health endpoint.</summary>
public interface IStorageProbe
{
    /// <summary>What the probe checks, for the health report.</summary>
    string Name { get; }

    /// <summary>Throws when the store does not answer or does not accept writes.</summary>
    Task ProbeAsync(CancellationToken cancellationToken);
}
