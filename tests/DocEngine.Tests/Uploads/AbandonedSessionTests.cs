using DocEngine.Contract.V1;
using DocEngine.Tests.Infrastructure;

namespace DocEngine.Tests.Uploads;

/// <summary>
/// Uploads started and never finished must not each keep a file open on the node until it runs out of descriptors
/// (the upload fuzzer's process died at about 20,000 abandoned sessions): past <c>MaxSessionsInMemory</c> (256) the
/// least recently used idle ones are closed in memory, and stay resumable to the byte.
/// </summary>
public sealed class AbandonedSessionTests(DocEngineFactory factory) : IClassFixture<DocEngineFactory>
{
    [Fact]
    public async Task Many_abandoned_sessions_hold_a_bounded_number_of_open_files_and_each_still_resumes()
    {
        var uploads = new UploadService.UploadServiceClient(factory.Invoker());
        var first = TestData.Bytes(1000);
        var sessions = new List<string>();
        for (var i = 0; i < 320; i++)
        {
            var session = (await uploads.CreateUploadSessionAsync(new CreateUploadSessionRequest { Metadata = new UploadMetadata { Filename = $"left-{i}.pdf" } })).Session;
            await uploads.AppendUploadChunkAsync(new AppendUploadChunkRequest { Name = session.Name, Data = Clients.Chunk(first).Data });
            sessions.Add(session.Name);
        }

        var partFolder = Path.Combine(factory.DataDirectory, "uploads");
        var open = OpenFilesUnder(partFolder);
        Assert.True(open <= 256, $"{open} part files are open for 320 abandoned sessions; at most 256 should be.");
        Assert.True(open >= 200, $"Only {open} part files are open: the recently used sessions should stay open (the bound is 256).");

        // The oldest session was closed in memory: it resumes from its durable offset and completes with the exact bytes.
        var rest = TestData.Bytes(500, seed: 7);
        await uploads.AppendUploadChunkAsync(new AppendUploadChunkRequest { Name = sessions[0], Offset = first.Length, Data = Clients.Chunk(rest).Data });
        var whole = first.Concat(rest).ToArray();
        var document = (await uploads.CompleteUploadAsync(new CompleteUploadRequest { Name = sessions[0], Sha256 = TestData.Sha256(whole) })).Document;
        Assert.Equal(TestData.Sha256(whole), document.Sha256);
        Assert.Equal(whole.Length, document.SizeBytes);
    }

    private static int OpenFilesUnder(string folder)
    {
        var count = 0;
        foreach (var descriptor in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
        {
            try
            {
                if (new FileInfo(descriptor).LinkTarget is { } target && target.StartsWith(folder + "/", StringComparison.Ordinal))
                {
                    count++;
                }
            }
            catch (IOException)
            {
                // The descriptor closed while we looked.
            }
        }
        return count;
    }
}
