using System.Security.Cryptography;

namespace DocEngine.Core.Storage;

/// <summary>
/// The hashes a blob is stored under and checked with: its SHA-256 (the key, checked when the whole blob is read) and the
/// SHA-256 of each <see cref="BlockSize"/> block (checked when only a range is read, so a range download reads only the
/// blocks it touches). A blob of one block needs no block list: its block hash is its hash.
/// </summary>
/// <param name="Sha256">The whole blob's SHA-256, lowercase hex.</param>
/// <param name="Blocks">The blocks' SHA-256s in order, lowercase hex; empty for a blob of one block or none.</param>
public sealed record BlobHashes(string Sha256, IReadOnlyList<string> Blocks)
{
    /// <summary>Size of the blocks ranged reads are checked by: 8 MiB.</summary>
    public const int BlockSize = 8 << 20;

    /// <summary>How many blocks a blob of <paramref name="size"/> bytes has.</summary>
    public static long BlockCount(long size) => (size + BlockSize - 1) / BlockSize;

    /// <summary>Hashes bytes held in memory (a rendered page).</summary>
    public static BlobHashes Of(ReadOnlySpan<byte> bytes)
    {
        var hasher = new BlobHasher();
        hasher.Append(bytes);
        return hasher.Result();
    }

    /// <summary>Hashes a local file in one pass (for results made on this node: renditions, batch outputs).</summary>
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

    /// <summary>The block list as stored beside a blob: the 32-byte digests, concatenated.</summary>
    public byte[] EncodeBlocks() => [.. Blocks.SelectMany(Convert.FromHexString)];

    /// <summary>Reads a stored block list; null when it is not a whole number of digests.</summary>
    public static IReadOnlyList<string>? DecodeBlocks(ReadOnlySpan<byte> stored)
    {
        if (stored.Length == 0 || stored.Length % 32 != 0)
        {
            return null;
        }
        var blocks = new List<string>(stored.Length / 32);
        for (var i = 0; i < stored.Length; i += 32)
        {
            blocks.Add(Convert.ToHexStringLower(stored.Slice(i, 32)));
        }
        return blocks;
    }

    /// <summary>The SHA-256 of one block's bytes.</summary>
    public static string HashBlock(ReadOnlySpan<byte> block) => Convert.ToHexStringLower(SHA256.HashData(block));
}

/// <summary>
/// Computes <see cref="BlobHashes"/> as bytes arrive, with a state that can be saved and restored (an upload's hashes move
/// with it from node to node, see Uploads/README.md): the whole-blob SHA-256, the SHA-256 of the block in progress, and
/// the finished blocks' SHA-256s.
/// </summary>
public sealed class BlobHasher
{
    private const byte Version = 1;
    private readonly ResumableSha256 _whole;
    private ResumableSha256 _block;
    private readonly List<byte[]> _blocks;

    /// <summary>A hasher of no bytes yet.</summary>
    public BlobHasher() : this(new ResumableSha256(), new ResumableSha256(), [])
    {
    }

    private BlobHasher(ResumableSha256 whole, ResumableSha256 block, List<byte[]> blocks)
    {
        _whole = whole;
        _block = block;
        _blocks = blocks;
    }

    /// <summary>Bytes hashed so far.</summary>
    public long Length => _whole.Length;

    /// <summary>Adds bytes.</summary>
    public void Append(ReadOnlySpan<byte> data)
    {
        _whole.Append(data);
        while (!data.IsEmpty)
        {
            var room = BlobHashes.BlockSize - (int)(_block.Length);
            var take = Math.Min(room, data.Length);
            _block.Append(data[..take]);
            data = data[take..];
            if (_block.Length == BlobHashes.BlockSize)
            {
                _blocks.Add(Convert.FromHexString(_block.CurrentHash()));
                _block = new ResumableSha256();
            }
        }
    }

    /// <summary>The whole blob's SHA-256 so far.</summary>
    public string CurrentSha256() => _whole.CurrentHash();

    /// <summary>The hashes of the bytes so far, as a blob of them would be stored.</summary>
    public BlobHashes Result()
    {
        var blocks = _blocks.Select(Convert.ToHexStringLower).ToList();
        if (_block.Length > 0)
        {
            blocks.Add(_block.CurrentHash());
        }
        return new BlobHashes(_whole.CurrentHash(), blocks.Count > 1 ? blocks : []);
    }

    /// <summary>The state, to store with an upload's committed offset: version, whole state, block state, finished blocks.</summary>
    public byte[] Export()
    {
        var state = new byte[1 + 2 * ResumableSha256.StateLength + 32 * _blocks.Count];
        state[0] = Version;
        _whole.ExportState().CopyTo(state, 1);
        _block.ExportState().CopyTo(state, 1 + ResumableSha256.StateLength);
        for (var i = 0; i < _blocks.Count; i++)
        {
            _blocks[i].CopyTo(state, 1 + 2 * ResumableSha256.StateLength + 32 * i);
        }
        return state;
    }

    /// <summary>Restores a hasher from <see cref="Export"/>; null when the state is missing, damaged or does not cover <paramref name="length"/> bytes.</summary>
    public static BlobHasher? Import(byte[]? state, long length)
    {
        const int fixedPart = 1 + 2 * ResumableSha256.StateLength;
        if (state is null || state.Length < fixedPart || state[0] != Version || (state.Length - fixedPart) % 32 != 0 || !ResumableSha256.IsSupported)
        {
            return null;
        }
        var whole = ResumableSha256.Import(state.AsSpan(1, ResumableSha256.StateLength));
        var block = ResumableSha256.Import(state.AsSpan(1 + ResumableSha256.StateLength, ResumableSha256.StateLength));
        var blocks = new List<byte[]>();
        for (var offset = fixedPart; offset < state.Length; offset += 32)
        {
            blocks.Add(state[offset..(offset + 32)]);
        }
        return whole is not null && block is not null && whole.Length == length && (long)blocks.Count * BlobHashes.BlockSize + block.Length == length
            ? new BlobHasher(whole, block, blocks)
            : null;
    }
}
