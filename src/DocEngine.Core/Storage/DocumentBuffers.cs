using System.Buffers;

namespace DocEngine.Core.Storage;

/// <summary>
/// A private pool for document bytes, so an applicant's data is only ever reused for other document bytes
/// (never handed to unrelated code through the shared pool). Counts rentals so tests can catch leaks.
/// </summary>
internal static class DocumentBuffers
{
    private static readonly ArrayPool<byte> Pool = ArrayPool<byte>.Create(maxArrayLength: 8 << 20, maxArraysPerBucket: 32);
    private static long _outstanding;

    /// <summary>Buffers rented and not yet returned.</summary>
    public static long Outstanding => Interlocked.Read(ref _outstanding);

    public static byte[] Rent(int minimumLength)
    {
        var buffer = Pool.Rent(minimumLength);
        Interlocked.Increment(ref _outstanding);
        return buffer;
    }

    public static void Return(byte[] buffer)
    {
        Interlocked.Decrement(ref _outstanding);
        Pool.Return(buffer);
    }
}
