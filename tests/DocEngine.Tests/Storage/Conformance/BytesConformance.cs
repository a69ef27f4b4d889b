using DocEngine.Core.Storage;
using DocEngine.Tests.Infrastructure;

namespace DocEngine.Tests.Storage.Conformance;

public abstract class BlobStoreConformance(IStorageProvider provider) : ConformanceSuite(provider)
{
    [SkippableFact]
    public async Task A_blob_is_kept_under_its_hash_and_a_range_reads_only_the_blocks_it_touches_checked()
    {
        await using var stores = await OpenAsync();
        using var scratch = new TempDirectory();
        var bytes = TestData.Bytes(BlobHashes.BlockSize * 2 + 12345, seed: Random.Shared.Next());
        var path = Path.Combine(scratch.Path, "blob");
        await File.WriteAllBytesAsync(path, bytes);
        var hashes = await BlobHashes.OfFileAsync(path, CancellationToken.None);
        Assert.Equal(TestData.Sha256(bytes), hashes.Sha256);
        Assert.Equal(3, hashes.Blocks.Count);

        Assert.False(await stores.Blobs.ExistsAsync(hashes.Sha256, CancellationToken.None));
        await stores.Blobs.PutFileAsync(path, hashes, CancellationToken.None);
        Assert.False(File.Exists(path));
        Assert.True(await stores.Blobs.ExistsAsync(hashes.Sha256, CancellationToken.None));
        Assert.Equal(hashes.Blocks, await stores.Blobs.GetBlockHashesAsync(hashes.Sha256, CancellationToken.None));

        var reader = new DocumentReader(stores.Blobs);
        var offset = BlobHashes.BlockSize + 100;
        Assert.Equal(bytes[offset..(offset + 5000)], await ReadAsync(reader, hashes.Sha256, bytes.Length, offset, 5000));
        Assert.Equal(bytes[(bytes.Length - 10)..], await ReadAsync(reader, hashes.Sha256, bytes.Length, bytes.Length - 10, 0));
        Assert.Equal(bytes, await reader.ReadAllAsync(hashes.Sha256, bytes.Length, CancellationToken.None));
        await using (var raw = await stores.Blobs.OpenReadAsync(hashes.Sha256, 7, 3, CancellationToken.None))
        {
            var three = new byte[10];
            Assert.Equal(3, await raw.ReadAtLeastAsync(three, 10, throwOnEndOfStream: false));
            Assert.Equal(bytes[7..10], three[..3]);
        }
        using (var local = await reader.OpenLocalFileAsync(hashes.Sha256, bytes.Length, scratch.Path, CancellationToken.None))
        {
            Assert.Equal(bytes, await File.ReadAllBytesAsync(local.Path));
        }

        var missing = await Assert.ThrowsAsync<DocEngineException>(() => ReadAsync(reader, new string('0', 64), 10, 0, 0));
        Assert.Equal("BLOB_MISSING", missing.Reason);
    }

    private static async Task<byte[]> ReadAsync(DocumentReader reader, string sha256, long size, long offset, long length)
    {
        var read = new List<byte>();
        await foreach (var piece in reader.ReadAsync(sha256, size, offset, length, CancellationToken.None))
        {
            read.AddRange(piece.ToArray());
        }
        return [.. read];
    }
}

public abstract class UploadPartStoreConformance(IStorageProvider provider) : ConformanceSuite(provider)
{
    [SkippableFact]
    public async Task Bytes_carry_on_from_the_recorded_state_past_unflushed_ones_and_publish_as_one_blob()
    {
        await using var stores = await OpenAsync();
        var bytes = TestData.Bytes((20 << 20) + 777, seed: Random.Shared.Next());
        var upload = new UploadRecord(Unique("t"), Ids.New(), "A", "a.bin", "x", bytes.Length, null, 0, UploadState.Open, Now, Now.AddDays(1));
        string? recorded = null;
        long durable = 0;

        // Writer 1: 9 MiB in 1 MiB appends, flushed at 3 MiB and 9 MiB; then 2 MiB more that are never flushed.
        await using (var parts = await stores.Parts.OpenAsync(upload, CancellationToken.None))
        {
            for (var mib = 0; mib < 11; mib++)
            {
                await parts.AppendAsync(bytes.AsMemory(mib << 20, 1 << 20), CancellationToken.None);
                if (mib is 2 or 8)
                {
                    var offset = parts.Written;
                    Assert.True(await parts.FlushAsync(offset, state =>
                    {
                        (recorded, durable) = (state, offset);
                        return Task.FromResult(true);
                    }, CancellationToken.None));
                }
            }
        }
        Assert.Contains(upload.Id, await ToListAsync(stores.Parts.ListAsync(CancellationToken.None)));

        // Writer 2 (another node, say): opens at the recorded durable point and finishes the file.
        upload = upload with { CommittedOffset = durable, PartState = recorded };
        await using (var parts = await stores.Parts.OpenAsync(upload, CancellationToken.None))
        {
            Assert.Equal(9 << 20, parts.Written);
            await parts.AppendAsync(bytes.AsMemory(9 << 20), CancellationToken.None);
            Assert.True(await parts.FlushAsync(parts.Written, state => Task.FromResult(true), CancellationToken.None));
            var hashes = BlobHashesOf(bytes);
            await parts.PublishAsync(stores.Blobs, hashes, CancellationToken.None);
            Assert.Equal(bytes, await new DocumentReader(stores.Blobs).ReadAllAsync(hashes.Sha256, bytes.Length, CancellationToken.None));
            Assert.Equal(hashes.Blocks, await stores.Blobs.GetBlockHashesAsync(hashes.Sha256, CancellationToken.None));
        }
        Assert.DoesNotContain(upload.Id, await ToListAsync(stores.Parts.ListAsync(CancellationToken.None)));
    }

    [SkippableFact]
    public async Task A_flush_the_session_store_refuses_is_not_adopted_and_a_deleted_session_holds_nothing()
    {
        await using var stores = await OpenAsync();
        var upload = new UploadRecord(Unique("t"), Ids.New(), "A", "a.bin", "x", null, null, 0, UploadState.Open, Now, Now.AddDays(1));
        await using (var parts = await stores.Parts.OpenAsync(upload, CancellationToken.None))
        {
            await parts.AppendAsync(new byte[1000], CancellationToken.None);
            Assert.False(await parts.FlushAsync(1000, _ => Task.FromResult(false), CancellationToken.None));
        }
        await stores.Parts.DeleteAsync(upload.Id, CancellationToken.None);
        Assert.DoesNotContain(upload.Id, await ToListAsync(stores.Parts.ListAsync(CancellationToken.None)));
        await using var fresh = await stores.Parts.OpenAsync(upload, CancellationToken.None);
        Assert.Equal(0, fresh.Written);
    }

    private static BlobHashes BlobHashesOf(byte[] bytes) => BlobHashes.Of(bytes);

    private static async Task<List<string>> ToListAsync(IAsyncEnumerable<string> items)
    {
        var list = new List<string>();
        await foreach (var item in items)
        {
            list.Add(item);
        }
        return list;
    }
}
