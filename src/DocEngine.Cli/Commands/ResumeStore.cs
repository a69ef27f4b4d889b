using System.Security.Cryptography;
using System.Text;

namespace DocEngine.Cli.Commands;

/// <summary>
/// Remembers which server upload belongs to which local file, so running the same command again resumes it.
/// One small file per upload under the user's cache directory, keyed by server + full path + size + mtime: a
/// changed file gets a new key and starts over. What it remembers is always checked against the server.
/// </summary>
internal sealed class ResumeStore(string directory)
{
    /// <summary><c>$DOCENGINE_CACHE_DIR</c>, else <c>$XDG_CACHE_HOME/docengine/uploads</c>, else <c>~/.cache/docengine/uploads</c>.</summary>
    public static ResumeStore Default()
    {
        if (Environment.GetEnvironmentVariable("DOCENGINE_CACHE_DIR") is { Length: > 0 } overridden)
        {
            return new ResumeStore(overridden);
        }
        var cache = Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return new ResumeStore(Path.Combine(cache, "docengine", "uploads"));
    }

    public static string KeyFor(string server, FileInfo file)
    {
        var identity = $"{server.TrimEnd('/')}\n{file.FullName}\n{file.Length}\n{file.LastWriteTimeUtc.Ticks}";
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(identity)));
    }

    /// <summary>The upload name remembered for <paramref name="key"/>, or null.</summary>
    public string? Load(string key)
    {
        var path = PathOf(key);
        return File.Exists(path) ? File.ReadAllText(path).Trim() : null;
    }

    public void Save(string key, string uploadName)
    {
        Directory.CreateDirectory(directory);
        var temporary = PathOf(key) + ".tmp";
        File.WriteAllText(temporary, uploadName);
        File.Move(temporary, PathOf(key), overwrite: true);
    }

    public void Forget(string key) => File.Delete(PathOf(key));

    private string PathOf(string key) => Path.Combine(directory, key + ".upload");
}
