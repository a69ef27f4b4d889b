using System.Diagnostics;
using DocEngine.Contract.V1;
using DocEngine.Tests.Infrastructure;
using Grpc.Core;

namespace DocEngine.Tests.Uploads;

/// <summary>
/// A real full disk: the server's data directory is a 12 MiB tmpfs. The upload that fills it is refused with
/// RESOURCE_EXHAUSTED and the offset that is safe; the store stays consistent and works again once space is freed.
/// Needs permission to mount (root, as in CI); elsewhere it skips loudly.
/// </summary>
public sealed class FullDiskTests
{
    [SkippableFact]
    public async Task A_full_disk_refuses_the_upload_cleanly_and_the_store_stays_consistent()
    {
        using var mountPoint = new TempDirectory();
        if (!Run("mount", "-t", "tmpfs", "-o", "size=12m", "tmpfs", mountPoint.Path))
        {
            const string message = "FULL-DISK TEST SKIPPED: cannot mount a small tmpfs here (needs root).";
            Console.Error.WriteLine("*** " + message + " ***");
            Skip.If(true, message);
        }
        try
        {
            await using var server = await ServerProcess.StartAsync(Path.Combine(mountPoint.Path, "data"));
            var invoker = server.Invoker();
            var uploads = new UploadService.UploadServiceClient(invoker);
            var big = TestData.Bytes(24 << 20, seed: 81);
            string? uploadName = null;

            var info = await Clients.AssertRefusedAsync(StatusCode.ResourceExhausted, "STORAGE_FULL", async () =>
            {
                using var call = uploads.Upload();
                await call.RequestStream.WriteAsync(new UploadRequest { Start = new UploadMetadata { Filename = "huge.tif" } });
                Assert.True(await call.ResponseStream.MoveNext());
                uploadName = call.ResponseStream.Current.Session.Name;
                try
                {
                    for (var offset = 0; offset < big.Length; offset += 256 << 10)
                    {
                        await call.RequestStream.WriteAsync(new UploadRequest { Chunk = Clients.Chunk(big.AsMemory(offset, 256 << 10)) });
                    }
                    await call.RequestStream.CompleteAsync();
                }
                catch (RpcException)
                {
                    // The server ended the call while we were still sending; its status arrives on the response stream.
                }
                await Clients.ReadAllAsync(call.ResponseStream);
            });

            var status = (await uploads.GetUploadStatusAsync(new GetUploadStatusRequest { Name = uploadName! })).Session;
            Assert.Equal(UploadState.Open, status.State);
            Assert.InRange(status.CommittedOffset, 0, long.Parse(info.Metadata["current_offset"], System.Globalization.CultureInfo.InvariantCulture));

            var cancelled = (await uploads.CancelUploadAsync(new CancelUploadRequest { Name = uploadName! })).Session; // frees the space
            Assert.Equal(UploadState.Cancelled, cancelled.State);
            var small = TestData.Bytes(1 << 20, seed: 82);
            var document = await Clients.UploadStreamingAsync(invoker, small);
            Assert.Equal(small, await Clients.DownloadAsync(invoker, document.Name));
        }
        finally
        {
            Run("umount", "-l", mountPoint.Path);
        }
    }

    private static bool Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        try
        {
            using var process = Process.Start(start)!;
            process.WaitForExit();
            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
