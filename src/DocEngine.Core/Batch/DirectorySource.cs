using System.IO.Enumeration;
using System.Runtime.CompilerServices;

namespace DocEngine.Core.Batch;

/// <summary>
/// Every file under a folder, recursively, enumerated lazily as the walk reaches it (memory holds the directories still
/// to visit, never the file list). Symbolic links to folders are not followed, so a link loop cannot make the walk
/// endless; the output folder is skipped when it lies inside the input folder.
/// </summary>
public sealed class DirectorySource : IBatchSource
{
    private readonly string _root;
    private readonly string? _exclude;

    /// <summary>Walks <paramref name="root"/>, leaving out <paramref name="exclude"/> (the batch's OUT) and everything under it.</summary>
    public DirectorySource(string root, string? exclude = null)
    {
        _root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        _exclude = exclude is null ? null : Path.TrimEndingDirectorySeparator(Path.GetFullPath(exclude));
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<BatchInput> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var (path, length) in Walk((ref entry) => (entry.ToFullPath(), entry.Length)))
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return new BatchInput(Path.GetRelativePath(_root, path).Replace(Path.DirectorySeparatorChar, '/'), path, length);
        }
    }

    /// <inheritdoc />
    public Task<long?> CountAsync(CancellationToken cancellationToken) => Task.Run<long?>(() =>
    {
        long count = 0;
        foreach (var _ in Walk((ref _) => true))
        {
            cancellationToken.ThrowIfCancellationRequested();
            count++;
        }
        return count;
    }, cancellationToken);

    private FileSystemEnumerable<T> Walk<T>(FileSystemEnumerable<T>.FindTransform transform) =>
        new(_root, transform, new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = 0 })
        {
            ShouldIncludePredicate = (ref entry) => !entry.IsDirectory,
            ShouldRecursePredicate = (ref entry) => (entry.Attributes & FileAttributes.ReparsePoint) == 0
                && (_exclude is null || !string.Equals(entry.ToFullPath(), _exclude, StringComparison.Ordinal)),
        };
}
