using System.IO.Hashing;
using DocEngine.Core.Storage;
using DocEngine.Tests.Infrastructure;

namespace DocEngine.Tests.Storage;

/// <summary>The hashes an upload carries from node to node: stored, taken up again, and equal to hashing the bytes in one go.</summary>
public sealed class BlobHasherTests
{
    [Fact]
    public void A_hash_state_taken_up_mid_block_gives_the_hashes_of_the_whole_file()
    {
        var bytes = TestData.Bytes(BlobHashes.BlockSize * 2 + 5_000_000, seed: 3);
        foreach (var cut in new[] { 0, 1, 63, BlobHashes.BlockSize, BlobHashes.BlockSize + 12345, bytes.Length })
        {
            var first = new BlobHasher();
            first.Append(bytes.AsSpan(0, cut));
            var blockStart = cut - cut % BlobHashes.BlockSize;
            var second = BlobHasher.Import(first.Export(), cut, bytes.AsSpan(blockStart, cut - blockStart));
            Assert.NotNull(second);
            second.Append(bytes.AsSpan(cut));

            var result = second.Result();
            Assert.Equal(TestData.Sha256(bytes), result.Sha256);
            Assert.Equal(Enumerable.Range(0, 3).Select(b => Convert.ToHexStringLower(XxHash128.Hash(bytes.AsSpan(b * BlobHashes.BlockSize,
                Math.Min(BlobHashes.BlockSize, bytes.Length - b * BlobHashes.BlockSize))))), result.Blocks);
            var recorded = BlobHasher.ResultOf(second.Export(), bytes.Length)!;
            Assert.Equal(result.Sha256, recorded.Sha256);
            Assert.Equal(result.Blocks, recorded.Blocks);
        }
    }

    [Fact]
    public void A_state_that_does_not_fit_the_bytes_is_refused_so_the_upload_is_hashed_again_from_its_bytes()
    {
        var bytes = TestData.Bytes(3_000_000, seed: 4);
        var hasher = new BlobHasher();
        hasher.Append(bytes);
        var state = hasher.Export();
        Assert.Null(BlobHasher.Import(state, bytes.Length + 1, bytes));                      // another offset
        var damaged = (byte[])bytes.Clone();
        damaged[1000] ^= 1;
        Assert.Null(BlobHasher.Import(state, bytes.Length, damaged));                         // the block in progress changed
        Assert.Null(BlobHasher.Import([.. state.Take(20)], bytes.Length, bytes));             // a cut state
        Assert.Null(BlobHasher.Import(null, bytes.Length, bytes));
        Assert.NotNull(BlobHasher.Import(state, bytes.Length, bytes));
    }
}
