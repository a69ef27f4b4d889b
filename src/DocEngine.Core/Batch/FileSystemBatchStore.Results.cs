using System.Text.Json;
using System.Text.RegularExpressions;

namespace DocEngine.Core.Batch;

/// <summary>
/// Results as folders, <c>results/&lt;sha256[..2]&gt;/&lt;sha256&gt;/&lt;key&gt;/</c>: outputs plus <c>done.json</c>. A result is
/// assembled in <c>tmp/</c>, <c>done.json</c> written last, then the folder is renamed into place in one step.
/// </summary>
public sealed partial class FileSystemBatchStore : IBatchResultStore
{
    private const string DoneMarker = "done.json";

    /// <inheritdoc />
    public async Task<OpResult?> FindAsync(string sha256, string key, CancellationToken cancellationToken)
    {
        if (!Exists(sha256, key))
        {
            return null;
        }
        var folder = ResultFolder(sha256, key);
        try
        {
            await using var file = File.OpenRead(Path.Combine(folder, DoneMarker));
            var result = await JsonSerializer.DeserializeAsync<OpResult>(file, Json, cancellationToken).ConfigureAwait(false);
            return result is null ? null : Located(result, sha256, key);
        }
        catch (JsonException)
        {
            // Only a damaged disk gets here (done.json is complete before the folder is published): redo the step.
            Directory.Move(folder, CreateScratch() + "-damaged");
            return null;
        }
    }

    /// <inheritdoc />
    public bool Exists(string sha256, string key) => IsSha256(sha256) && KeyPattern().IsMatch(key) && File.Exists(Path.Combine(ResultFolder(sha256, key), DoneMarker));

    /// <inheritdoc />
    public string CreateScratch() => Directory.CreateDirectory(Path.Combine(Scratch, Guid.NewGuid().ToString("n"))).FullName;

    /// <inheritdoc />
    public async Task<OpResult> PublishAsync(string sha256, string scratch, OpResult result, CancellationToken cancellationToken)
    {
        if (!IsSha256(sha256) || !KeyPattern().IsMatch(result.Key))
        {
            throw new ArgumentException($"Not a content hash and result key: {sha256}, {result.Key}.", nameof(sha256));
        }
        await WriteAtomicallyAsync(Path.Combine(scratch, DoneMarker), result, indented: true, cancellationToken).ConfigureAwait(false);
        var folder = ResultFolder(sha256, result.Key);
        Directory.CreateDirectory(Path.GetDirectoryName(folder)!);
        try
        {
            Directory.Move(scratch, folder);
            return Located(result, sha256, result.Key);
        }
        catch (IOException) when (Directory.Exists(folder))
        {
            // Two inputs with the same content, worked on at once: the first one published wins.
            Directory.Delete(scratch, recursive: true);
            return await FindAsync(sha256, result.Key, cancellationToken).ConfigureAwait(false) ?? Located(result, sha256, result.Key);
        }
    }

    private string ResultFolder(string sha256, string key) => Path.Combine(Root, "results", sha256[..2], sha256, key);

    private static OpResult Located(OpResult result, string sha256, string key) =>
        result with { Outputs = result.Files.Select(f => $"results/{sha256[..2]}/{sha256}/{key}/{f}").ToList() };

    /// <summary>Names from report lines become paths, so only well-formed ones are accepted.</summary>
    private static bool IsSha256(string? value) => value is { Length: 64 } && value.All(char.IsAsciiHexDigitLower);

    [GeneratedRegex("^[a-z]+-[0-9a-f]{16}$")]
    private static partial Regex KeyPattern();
}
