using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using DocEngine.Tests.Infrastructure;

namespace DocEngine.Tests.Contract;

/// <summary>
/// The protos pass <c>buf lint</c> with its default rules. buf comes from the npm registry's <c>@bufbuild/buf-linux-x64</c>
/// tarball (pinned and hash-checked, cached under ~/.cache/docengine-tools), so no Node.js is needed; env BUF overrides.
/// </summary>
public sealed class BufLintTests
{
    private const string Version = "1.75.0";
    private const string TarballSha256 = "98b19d4b2b46130e083157490c54dfdcb8ea771e53204d3c6a06a2b12edd0503";

    [Fact]
    public async Task The_contract_passes_buf_lint_with_its_default_rules()
    {
        var (exitCode, output) = await LintAsync(Path.Combine(RepoPaths.Root, "protos"));
        Assert.True(exitCode == 0, "buf lint found problems:\n" + output);
    }

    [Fact]
    public async Task Buf_lint_really_refuses_a_proto_that_breaks_the_default_rules()
    {
        using var module = new TempDirectory();
        Directory.CreateDirectory(Path.Combine(module.Path, "bad", "v1"));
        await File.WriteAllTextAsync(Path.Combine(module.Path, "buf.yaml"), "version: v2\n");
        await File.WriteAllTextAsync(Path.Combine(module.Path, "bad", "v1", "bad.proto"),
            "syntax = \"proto3\";\npackage bad.v1;\nenum Color { RED = 0; }\nservice Paint { rpc Mix(Color2) returns (Color2); }\nmessage Color2 { int32 Value = 1; }\n");

        var (exitCode, output) = await LintAsync(module.Path);

        Assert.NotEqual(0, exitCode);
        Assert.Contains("ENUM_ZERO_VALUE_SUFFIX", output, StringComparison.Ordinal);
        Assert.Contains("RPC_REQUEST_STANDARD_NAME", output, StringComparison.Ordinal);
    }

    private static async Task<(int ExitCode, string Output)> LintAsync(string directory)
    {
        var start = new ProcessStartInfo(await BufAsync(), "lint --error-format msvs")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }

    private static readonly SemaphoreSlim InstallLock = new(1, 1);

    private static async Task<string> BufAsync()
    {
        if (Environment.GetEnvironmentVariable("BUF") is { Length: > 0 } configured)
        {
            return configured;
        }
        Assert.True(RuntimeInformation.OSArchitecture == Architecture.X64 && OperatingSystem.IsLinux(),
            "Set env BUF to a buf binary: only the linux-x64 one is fetched automatically.");
        var directory = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "docengine-tools", $"buf-{Version}");
        var executable = Path.Combine(directory, "buf");
        await InstallLock.WaitAsync();
        try
        {
            if (!File.Exists(executable))
            {
                using var http = new HttpClient();
                var tarball = await http.GetByteArrayAsync($"https://registry.npmjs.org/@bufbuild/buf-linux-x64/-/buf-linux-x64-{Version}.tgz");
                Assert.Equal(TarballSha256, Convert.ToHexStringLower(SHA256.HashData(tarball)));
                Directory.CreateDirectory(directory);
                await using var gzip = new GZipStream(new MemoryStream(tarball), CompressionMode.Decompress);
                await using var tar = new TarReader(gzip);
                while (await tar.GetNextEntryAsync() is { } entry)
                {
                    if (entry.Name == "package/bin/buf")
                    {
                        var temporary = executable + ".tmp";
                        await entry.ExtractToFileAsync(temporary, overwrite: true);
                        File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                        File.Move(temporary, executable, overwrite: true);
                    }
                }
            }
        }
        finally
        {
            InstallLock.Release();
        }
        return executable;
    }
}
