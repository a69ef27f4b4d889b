using System.Buffers.Binary;
using System.Numerics;

namespace DocEngine.Core.Uploads;

/// <summary>CRC32C (Castagnoli, RFC 3720), the checksum gRPC storage APIs use for chunks; hardware-accelerated where the CPU has it.</summary>
public static class Crc32C
{
    /// <summary>The CRC32C of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data)
    {
        var crc = uint.MaxValue;
        while (data.Length >= 8)
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
        }
        foreach (var b in data)
        {
            crc = BitOperations.Crc32C(crc, b);
        }
        return ~crc;
    }
}
