using DocEngine.Cli.Commands;
using DocEngine.Contract.V1;
using DocEngine.Core.Signatures;
using DocEngine.Core.Workers;

namespace DocEngine.Native;

/// <summary>
/// <c>docengine-native verify INPUT [--trust PEM]... [--password P] [--content FILE] [--json]</c>: what
/// <c>docengine verify</c> does offline. The parent refuses what needs no reading of the file (a missing file, an
/// unreadable trust file, a file too large); the sandboxed child runs the job a worker runs and prints the report.
/// </summary>
internal static class OneShotVerify
{
    /// <summary>The child: the same job a worker runs for the CLI, and the report printed.</summary>
    public static async Task<int> CheckAsync(LocalVerify verify, TextWriter stdout)
    {
        // The other core readies what the check and the report need later (OpenSSL, the report's JSON descriptors)
        // while this one reads the file: a fresh process pays for both once, on the waiting person's clock.
        var ready = Task.Run(() =>
        {
            System.Security.Cryptography.SHA256.HashData(ReadOnlySpan<byte>.Empty);
            if (verify.Json)
            {
                _ = SignaturesReflection.Descriptor;
            }
        });
        var signed = verify.SignedFile();
        var job = VerifySignaturesJob.For(verify.File.FullName, signed?.FullName, signed is null ? verify.Password : null, verify.Anchors(), new SignatureOptions());
        var check = await job.ExecuteAsync(new WorkerContext(), CancellationToken.None);
        await ready;
        await stdout.WriteLineAsync(LocalVerify.Render(verify.File, check.Report!.ToProto(), verify.Json));
        return Cli.Common.ExitCodes.Ok;
    }

    /// <summary>The parent: the checks that need no reading of the file, then the child within the job's time limit.</summary>
    public static Task<int> SuperviseAsync(LocalVerify verify, string[] command, TextWriter stdout, TextWriter stderr)
    {
        var signed = verify.SignedFile();
        var options = new SignatureOptions();
        LocalVerify.CheckSize(verify.File, signed, options);
        var job = VerifySignaturesJob.For(verify.File.FullName, signed?.FullName, verify.Password, verify.Anchors(), options);
        return OneShot.SuperviseAsync(command, job.TimeLimit(), job.Timeout(), stdout, stderr);
    }
}
