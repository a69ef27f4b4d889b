namespace DocEngine.Tests.Infrastructure;

/// <summary>Where things are in the repository and beside it.</summary>
internal static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>The build configuration these tests were built in; the server and CLI were built the same way.</summary>
    public const string Configuration =
#if DEBUG
        "Debug";
#else
        "Release";
#endif

    public static string ServerDll => Path.Combine(Root, "src", "DocEngine.Server", "bin", Configuration, "net10.0", "DocEngine.Server.dll");

    public static string CliDll => Path.Combine(Root, "src", "DocEngine.Cli", "bin", Configuration, "net10.0", "docengine.dll");

    /// <summary><c>../shared</c> beside the clone, when present.</summary>
    public static string? Shared => Directory.Exists(Path.Combine(Root, "..", "shared")) ? Path.GetFullPath(Path.Combine(Root, "..", "shared")) : null;

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "DocEngine.sln")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException("DocEngine.sln not found above the test binaries.");
    }
}

/// <summary>A directory under the system temp folder, deleted on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "docengine-tests", Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // a killed server may still be releasing files; the temp folder is cleaned by the OS eventually
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

/// <summary>System time shifted by a settable offset, so tests can pass 24 hours without waiting.</summary>
public sealed class FakeTime : TimeProvider
{
    private long _offsetTicks;

    public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow().AddTicks(Interlocked.Read(ref _offsetTicks));
}
