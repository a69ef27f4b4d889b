using System.Security.Cryptography;

namespace DocEngine.Tests.Infrastructure;

/// <summary>Deterministic pseudo-random file contents, so a failure reproduces byte for byte.</summary>
internal static class TestData
{
    public static byte[] Bytes(long size, int seed = 1)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    public static string Sha256(ReadOnlySpan<byte> data) => Convert.ToHexStringLower(SHA256.HashData(data));

    public static string Sha256OfFile(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>Writes <paramref name="size"/> deterministic bytes to a file without holding them all in memory.</summary>
    public static void WriteFile(string path, long size, int seed = 1)
    {
        var random = new Random(seed);
        var buffer = new byte[1 << 20];
        using var file = File.Create(path);
        for (long written = 0; written < size;)
        {
            var count = (int)Math.Min(buffer.Length, size - written);
            random.NextBytes(buffer.AsSpan(0, count));
            file.Write(buffer, 0, count);
            written += count;
        }
    }
}
