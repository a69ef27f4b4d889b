using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace DocEngine.Core.Storage;

/// <summary>
/// fsync for files and directories. A rename or a new file is only durable once its directory is flushed
/// (POSIX leaves directory entries in the page cache otherwise), and .NET cannot open a directory handle.
/// </summary>
public static partial class Durability
{
    /// <summary>Flushes a file's data and size to the device (fsync on Unix).</summary>
    public static void FlushFile(SafeFileHandle handle) => RandomAccess.FlushToDisk(handle);

    /// <summary>Flushes a directory's entries, so files created or renamed into it survive a crash.</summary>
    public static void FlushDirectory(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // NTFS journals directory entries; other systems are not deployment targets yet.
        }
        var fd = Open(path, ReadOnly | Directory);
        if (fd < 0)
        {
            throw new IOException($"Cannot open directory for fsync (errno {Marshal.GetLastPInvokeError()}).", Marshal.GetLastPInvokeError());
        }
        try
        {
            if (Fsync(fd) != 0)
            {
                throw new IOException($"Directory fsync failed with errno {Marshal.GetLastPInvokeError()}.", Marshal.GetLastPInvokeError());
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    /// <summary>True when <paramref name="exception"/> means the disk or quota is full.</summary>
    public static bool IsDiskFull(Exception exception) => exception switch
    {
        DocEngineException refusal => refusal.Reason == "STORAGE_FULL",
        IOException io when OperatingSystem.IsWindows() => (io.HResult & 0xFFFF) is 0x70 /* ERROR_DISK_FULL */ or 0x27 /* ERROR_HANDLE_DISK_FULL */,
        IOException io => io.HResult is 28 /* ENOSPC */ or 122 /* EDQUOT on Linux */,
        _ => false,
    };

    private const int ReadOnly = 0;
    private const int Directory = 0x10000; // O_DIRECTORY on Linux x64 and arm64

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
