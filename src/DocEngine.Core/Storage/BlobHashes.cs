using System.Buffers.Binary;
using System.IO.Hashing;

namespace DocEngine.Core.Storage;

/// <summary>
/// The hashes a blob is stored under and checked with: its SHA-256 (its name, checked when the whole blob is read) and a
/// 128-bit XXH128 of each <see cref="BlockSize"/> block (checked when only a range is read, so a range download reads only
/// the blocks it touches). The block hashes guard against damage, not forgery: they are kept beside the blob, where
/// anyone able to rewrite the blob could rewrite them too, so a cryptographic hash would add only cost (a second SHA-256
/// pass over every upload: benchmarks/README.md). The SHA-256 is what proves a document's identity.
/// </summary>
/// <param name="Sha256">The whole blob's SHA-256, lowercase hex.</param>
/// <param name="Blocks">The blocks' XXH128 in order, lowercase hex; empty for a blob of one block or none.</param>
public sealed record BlobHashes(string Sha256, IReadOnlyList<string> Blocks)
{
    /// <summary>Size of the blocks ranged reads are checked by: 8 MiB.</summary>
    public const int BlockSize = 8 << 20;

    /// <summary>Bytes of one block digest.</summary>
    public const int DigestLength = 16;

    /// <summary>How many blocks a blob of <paramref name="size"/> bytes has.</summary>
    public static long BlockCount(long size) => (size + BlockSize - 1) / BlockSize;

    /// <summary>Hashes bytes held in memory (a rendered page).</summary>
    public static BlobHashes Of(ReadOnlySpan<byte> bytes)
    {
        var hasher = new BlobHasher();
        hasher.Append(bytes);
        return hasher.Result();
    }

    /// <summary>Hashes a local file in one pass (for results made on this node: renditions, previews).</summary>
    public static async Task<BlobHashes> OfFileAsync(string path, CancellationToken cancellationToken)
    {
        var hasher = new BlobHasher();
        var buffer = DocumentBuffers.Rent(1 << 20);
        try
        {
            await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
            int read;
            while ((read = await file.ReadAsync(buffer.AsMemory(0, 1 << 20), cancellationToken).ConfigureAwait(false)) > 0)
            {
                hasher.Append(buffer.AsSpan(0, read));
            }
        }
        finally
        {
            DocumentBuffers.Return(buffer);
        }
        return hasher.Result();
    }

    /// <summary>The block list as stored beside a blob: the 16-byte digests, concatenated.</summary>
    public byte[] EncodeBlocks() => [.. Blocks.SelectMany(Convert.FromHexString)];

    /// <summary>Reads a stored block list; null when it is not a whole number of digests.</summary>
    public static IReadOnlyList<string>? DecodeBlocks(ReadOnlySpan<byte> stored)
    {
        if (stored.Length == 0 || stored.Length % DigestLength != 0)
        {
            return null;
        }
        var blocks = new List<string>(stored.Length / DigestLength);
        for (var i = 0; i < stored.Length; i += DigestLength)
        {
            blocks.Add(Convert.ToHexStringLower(stored.Slice(i, DigestLength)));
        }
        return blocks;
    }

    /// <summary>The digest of one block's bytes.</summary>
    public static string HashBlock(ReadOnlySpan<byte> block) => Convert.ToHexStringLower(XxHash128.Hash(block));
}

/// <summary>
/// Computes <see cref="BlobHashes"/> as bytes arrive, with a state that can be stored and taken up again on another node
/// (see src/DocEngine.Core/Uploads/README.md): the whole-blob SHA-256 as OpenSSL's context (<see cref="ResumableSha256"/>),
/// the finished blocks' digests, and the digest of the block in progress. XXH128 cannot export its running state, so a
/// hasher taken up again rehashes the block in progress from its bytes (less than 8 MiB, which the upload-part store holds
/// at hand) and checks them against the stored digest.
/// </summary>
public sealed class BlobHasher
{
    private const byte Version = 2;
    private const int Fixed = 1 + ResumableSha256.StateLength + BlobHashes.DigestLength;
    private readonly ResumableSha256 _whole;
    private readonly List<byte[]> _blocks;
    private XxHash128 _block = new();
    private int _blockLength;

    /// <summary>A hasher of no bytes yet.</summary>
    public BlobHasher() : this(new ResumableSha256(), [])
    {
    }

    private BlobHasher(ResumableSha256 whole, List<byte[]> blocks)
    {
        _whole = whole;
        _blocks = blocks;
    }

    /// <summary>Bytes hashed so far.</summary>
    public long Length => _whole.Length;

    /// <summary>Where the block in progress starts.</summary>
    public long BlockStart => Length - _blockLength;

    /// <summary>Adds bytes.</summary>
    public void Append(ReadOnlySpan<byte> data)
    {
        _whole.Append(data);
        AppendBlocks(data);
    }

    private void AppendBlocks(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            var take = Math.Min(BlobHashes.BlockSize - _blockLength, data.Length);
            _block.Append(data[..take]);
            _blockLength += take;
            data = data[take..];
            if (_blockLength == BlobHashes.BlockSize)
            {
                _blocks.Add(_block.GetHashAndReset());
                _blockLength = 0;
            }
        }
    }

    /// <summary>The whole blob's SHA-256 so far.</summary>
    public string CurrentSha256() => _whole.CurrentHash();

    /// <summary>The hashes of the bytes so far, as a blob of them would be stored.</summary>
    public BlobHashes Result() => Result(_whole.CurrentHash(), _blocks, _blockLength > 0 ? _block.GetCurrentHash() : null);

    private static BlobHashes Result(string sha256, List<byte[]> blocks, byte[]? partial)
    {
        var all = blocks.Select(Convert.ToHexStringLower).ToList();
        if (partial is not null)
        {
            all.Add(Convert.ToHexStringLower(partial));
        }
        return new BlobHashes(sha256, all.Count > 1 ? all : []);
    }

    /// <summary>The state to store with an upload's committed offset: version, SHA-256 context, the block in progress's digest, finished blocks.</summary>
    public byte[] Export()
    {
        var state = new byte[Fixed + BlobHashes.DigestLength * _blocks.Count];
        state[0] = Version;
        _whole.ExportState().CopyTo(state, 1);
        _block.GetCurrentHash(state.AsSpan(1 + ResumableSha256.StateLength, BlobHashes.DigestLength));
        for (var i = 0; i < _blocks.Count; i++)
        {
            _blocks[i].CopyTo(state, Fixed + BlobHashes.DigestLength * i);
        }
        return state;
    }

    /// <summary>The finished hashes recorded in a state (for an upload completing on another node); null when the state does not cover <paramref name="length"/> bytes.</summary>
    public static BlobHashes? ResultOf(byte[]? state, long length) =>
        Parse(state, length) is var (whole, blocks, partial) ? Result(whole.CurrentHash(), blocks, length % BlobHashes.BlockSize > 0 ? partial : null) : null;

    /// <summary>
    /// Takes a stored state up again: <paramref name="blockInProgress"/> must hold the bytes from the last block boundary
    /// to <paramref name="length"/>, and match the stored digest. Null when the state is missing, damaged or does not fit.
    /// </summary>
    public static BlobHasher? Import(byte[]? state, long length, ReadOnlySpan<byte> blockInProgress)
    {
        if (Parse(state, length) is not var (whole, blocks, partial) || blockInProgress.Length != length % BlobHashes.BlockSize)
        {
            return null;
        }
        var hasher = new BlobHasher(whole, blocks);
        hasher.AppendBlocks(blockInProgress);
        return hasher._block.GetCurrentHash().AsSpan().SequenceEqual(partial) ? hasher : null;
    }

    private static (ResumableSha256 Whole, List<byte[]> Blocks, byte[] Partial)? Parse(byte[]? state, long length)
    {
        if (state is null || state.Length < Fixed || state[0] != Version || (state.Length - Fixed) % BlobHashes.DigestLength != 0 || !ResumableSha256.IsSupported
            || ResumableSha256.Import(state.AsSpan(1, ResumableSha256.StateLength)) is not { } whole || whole.Length != length)
        {
            return null;
        }
        var blocks = new List<byte[]>();
        for (var offset = Fixed; offset < state.Length; offset += BlobHashes.DigestLength)
        {
            blocks.Add(state[offset..(offset + BlobHashes.DigestLength)]);
        }
        return blocks.Count == length / BlobHashes.BlockSize
            ? (whole, blocks, state[(1 + ResumableSha256.StateLength)..Fixed])
            : null;
    }
}
