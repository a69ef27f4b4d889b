namespace DocEngine.Core.Storage.Embedded;

/// <summary>Receipt keys as PEM files under <c>{data}/receipt-keys/</c>, readable by the owner only.</summary>
public sealed class FileReceiptKeyStore(string directory) : IReceiptKeyStore
{
    private readonly Lock _adding = new();

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> ListReceiptKeysAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Directory.CreateDirectory(directory);
        IReadOnlyList<string> keys = Directory.EnumerateFiles(directory, "*.pem").Order(StringComparer.Ordinal).Select(File.ReadAllText).ToList();
        return Task.FromResult(keys);
    }

    /// <inheritdoc />
    public Task AddFirstReceiptKeyAsync(string id, string pem, DateTimeOffset now, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_adding)
        {
            Directory.CreateDirectory(directory);
            if (Directory.EnumerateFiles(directory, "*.pem").Any())
            {
                return Task.CompletedTask;
            }
            var path = Path.Combine(directory, $"{now:yyyyMMddHHmmss}.pem");
            var temporary = path + ".tmp";
            File.WriteAllText(temporary, pem);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite); // a private key: owner only
            }
            File.Move(temporary, path);
        }
        return Task.CompletedTask;
    }
}
