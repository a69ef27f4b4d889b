using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace DocEngine.Core.Storage;

/// <summary>
/// SHA-256 whose running state can be saved and restored, so a resumable upload can continue its hash on another node
/// (or after a restart) without reading back the bytes already received. .NET's <see cref="IncrementalHash"/> cannot
/// export its state, so this calls OpenSSL's SHA256_Init/Update/Final (libcrypto, which .NET itself uses on Linux and which
/// runs the same SHA-NI/AVX2 code at the same speed: benchmarks/README.md) on a context we own. The state is OpenSSL's
/// SHA256_CTX, whose layout (h[8], Nl, Nh, data[16], num, md_len: 112 bytes) has been stable since OpenSSL 0.9.
/// </summary>
public sealed unsafe class ResumableSha256
{
    /// <summary>Bytes of <see cref="ExportState"/>.</summary>
    public const int StateLength = 112;

    private static readonly Native? Functions = Native.Load();
    private readonly byte[] _context = new byte[StateLength];

    /// <summary>A fresh hash (of no bytes).</summary>
    public ResumableSha256()
    {
        var functions = Require();
        fixed (byte* context = _context)
        {
            functions.Init(context);
        }
    }

    private ResumableSha256(ReadOnlySpan<byte> state) => state.CopyTo(_context);

    /// <summary>Whether the platform's OpenSSL is there (Linux); without it uploads rebuild hashes by reading the bytes back.</summary>
    public static bool IsSupported => Functions is not null;

    /// <summary>The bytes hashed so far.</summary>
    public long Length => (long)(((ulong)BitConverter.ToUInt32(_context, 36) << 32 | BitConverter.ToUInt32(_context, 32)) >> 3);

    /// <summary>Restores a hash from <see cref="ExportState"/>; null when the state is not one this class wrote.</summary>
    public static ResumableSha256? Import(ReadOnlySpan<byte> state)
    {
        Require();
        return state.Length == StateLength && BitConverter.ToUInt32(state[108..]) == 32 && BitConverter.ToUInt32(state[104..]) < 64
            ? new ResumableSha256(state)
            : null;
    }

    /// <summary>Adds <paramref name="data"/> to the hash.</summary>
    public void Append(ReadOnlySpan<byte> data)
    {
        fixed (byte* context = _context)
        fixed (byte* bytes = data)
        {
            Functions!.Update(context, bytes, (nuint)data.Length);
        }
    }

    /// <summary>The running state, to store and <see cref="Import"/> later.</summary>
    public byte[] ExportState() => (byte[])_context.Clone();

    /// <summary>The SHA-256 of the bytes so far (lowercase hex); the hash can go on taking bytes.</summary>
    public string CurrentHash()
    {
        var copy = ExportState();
        Span<byte> digest = stackalloc byte[32];
        fixed (byte* context = copy)
        fixed (byte* output = digest)
        {
            Functions!.Final(output, context);
        }
        return Convert.ToHexStringLower(digest);
    }

    private static Native Require() => Functions ?? throw new PlatformNotSupportedException("Resumable SHA-256 needs OpenSSL's libcrypto (Linux).");

    private sealed class Native
    {
        public required delegate* unmanaged<byte*, int> Init { get; init; }
        public required delegate* unmanaged<byte*, byte*, nuint, int> Update { get; init; }
        public required delegate* unmanaged<byte*, byte*, int> Final { get; init; }

        public static Native? Load()
        {
            foreach (var name in new[] { "libcrypto.so.3", "libcrypto.so.1.1", "libcrypto.so" })
            {
                if (NativeLibrary.TryLoad(name, out var library)
                    && NativeLibrary.TryGetExport(library, "SHA256_Init", out var init)
                    && NativeLibrary.TryGetExport(library, "SHA256_Update", out var update)
                    && NativeLibrary.TryGetExport(library, "SHA256_Final", out var final))
                {
                    return new Native
                    {
                        Init = (delegate* unmanaged<byte*, int>)init,
                        Update = (delegate* unmanaged<byte*, byte*, nuint, int>)update,
                        Final = (delegate* unmanaged<byte*, byte*, int>)final,
                    };
                }
            }
            return null;
        }
    }
}
