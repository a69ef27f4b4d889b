extern alias cli;
using System.Diagnostics;
using System.Runtime.InteropServices;
using CliApp = cli::DocEngine.Cli.CliApp;
using LocalVerify = cli::DocEngine.Cli.Commands.LocalVerify;
using DocEngine.Tests.Infrastructure;
using DocEngine.Tests.Infrastructure.SignedPdfs;

namespace DocEngine.Tests.Cli;

/// <summary>
/// The offline <c>docengine verify</c> compiled ahead of time (<c>src/DocEngine.Native</c>, issue 18) prints exactly what
/// the CLI prints, exit code and stderr included, and the CLI hands such a command line to it when the helper sits
/// beside it. The helper is published with NativeAOT once for this class (about a minute of both cores).
/// </summary>
[Collection(RunsAlone.Collection)]
public sealed class NativeVerifyTests(NativeVerifyTests.Helper helper) : IClassFixture<NativeVerifyTests.Helper>
{
    [SkippableFact]
    public async Task The_helper_prints_what_the_cli_prints_for_signed_modified_encrypted_unreadable_and_hostile_files()
    {
        using var work = new TempDirectory();
        string Write(string name, byte[] bytes)
        {
            var path = Path.Combine(work.Path, name);
            File.WriteAllBytes(path, bytes);
            return path;
        }
        var root = Path.Combine(work.Path, "authority.pem");
        await File.WriteAllTextAsync(root, TestPki.Shared.RootPem);
        var signed = Write("signed form.pdf", PdfSigner.Sign(FormPdf.Create().Bytes).Bytes);
        var locked = Write("locked.pdf", EncryptedSignedPdf.Sign(EncryptedSignedPdf.Create()).Bytes);
        var content = Write("letter.txt", "a letter"u8.ToArray());
        Write("letter.txt.p7s", CmsSignatureMaker.Sign(File.ReadAllBytes(content)));
        Write("orphan.p7s", CmsSignatureMaker.Sign(File.ReadAllBytes(content)));
        var notPdf = Write("notes.pdf", "plain words, renamed .pdf"u8.ToArray());
        var attacks = AttackCatalog.Fixtures.Where((_, i) => i % 4 == 0).Select(f => Write(f.Id + ".pdf", f.Build())).ToList();
        string[] hostile =
        [
            Write("nested arrays.pdf", HostileFiles.NestedArrayPdf()), Write("nested dictionaries.pdf", HostileFiles.NestedDictionaryPdf()),
            Write("flate bomb.pdf", HostileFiles.FlateBombPdf(2L << 30)), Write("page tree loop.pdf", HostileFiles.PageTreeLoopPdf()),
        ];

        string[][] cases =
        [
            ["verify", signed], ["verify", signed, "--json", "--trust", root], ["verify", "--trust", root, signed],
            ["verify", locked, "--password", "applicant", "--json"], ["verify", locked], ["verify", locked, "--password", "wrong"],
            ["verify", Path.Combine(work.Path, "letter.txt.p7s"), "--trust", root], ["verify", Path.Combine(work.Path, "orphan.p7s"), "--content", content, "--json"],
            ["verify", Path.Combine(work.Path, "orphan.p7s")], ["verify", notPdf], ["verify", Path.Combine(work.Path, "missing.pdf")],
            ["verify", signed, "--trust", Path.Combine(work.Path, "missing.pem")], ["verify", signed, "--trust", notPdf],
            .. attacks.Select(a => new[] { "verify", a, "--json", "--trust", root }), .. hostile.Select(h => new[] { "verify", h }),
        ];
        foreach (var args in cases)
        {
            Assert.NotNull(LocalVerify.FromArguments(args)); // each is a command line the CLI hands over
            var expected = WithoutClock(await InProcessAsync(args));
            var actual = WithoutClock(await RunAsync(helper.Path, args));
            Assert.True(expected == actual, $"{string.Join(' ', args)}\nCLI: {expected}\nhelper: {actual}");
        }
    }

    [SkippableFact]
    public async Task The_helper_prints_what_the_cli_prints_for_every_pdf_of_the_shared_signed_and_malformed_corpus()
    {
        var files = CorpusManifest.Corpus().Where(e => e.Name.StartsWith("pdf-", StringComparison.Ordinal) && e.Name.EndsWith(".pdf", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            foreach (var args in new[] { new[] { "verify", file.Path }, ["verify", file.Path, "--json"] })
            {
                var expected = WithoutClock(await InProcessAsync(args));
                var actual = WithoutClock(await RunAsync(helper.Path, args));
                Assert.True(expected == actual, $"{file.Name}\nCLI: {expected}\nhelper: {actual}");
            }
        }
    }

    [SkippableFact]
    public async Task The_cli_hands_an_offline_verify_to_the_helper_beside_it_and_keeps_every_other_command_line()
    {
        using var work = new TempDirectory();
        var signed = Path.Combine(work.Path, "signed.pdf");
        await File.WriteAllBytesAsync(signed, PdfSigner.Sign(FormPdf.Create().Bytes).Bytes);
        // The CLI's build with the helper beside it, as the packed tool lays them out (links, not copies).
        var tool = Path.Combine(work.Path, "tool");
        Directory.CreateDirectory(tool);
        foreach (var file in Directory.EnumerateFiles(Path.GetDirectoryName(RepoPaths.CliDll)!))
        {
            var name = Path.GetFileName(file);
            if (name.StartsWith("docengine.", StringComparison.Ordinal))
            {
                File.Copy(file, Path.Combine(tool, name)); // the host finds the application's folder from the real path of its dll
            }
            else
            {
                File.CreateSymbolicLink(Path.Combine(tool, name), file);
            }
        }
        foreach (var folder in Directory.EnumerateDirectories(Path.GetDirectoryName(RepoPaths.CliDll)!))
        {
            Directory.CreateSymbolicLink(Path.Combine(tool, Path.GetFileName(folder)), folder);
        }
        File.Copy(helper.Path, Path.Combine(tool, "docengine-native"));
        File.SetUnixFileMode(Path.Combine(tool, "docengine-native"), UnixFileMode.UserRead | UnixFileMode.UserWrite); // as a NuGet package leaves it
        var cli = Path.Combine(tool, "docengine.dll");
        var debug = new Dictionary<string, string> { ["DOCENGINE_DEBUG"] = "1" };

        var handed = await RunAsync("dotnet", [cli, "verify", signed, "--json"], debug);
        var kept = await RunAsync("dotnet", [cli, "verify", signed, "--json"], new Dictionary<string, string>(debug) { ["DOCENGINE_NATIVE"] = "0" });
        var server = await RunAsync("dotnet", [cli, "verify", signed, "--server", "http://127.0.0.1:1", "--api-key", "k"], debug);
        var help = await RunAsync("dotnet", [cli, "verify", "--help"], debug);

        Assert.True(handed.ExitCode == 0, handed.ToString());
        Assert.Contains("compiled ahead of time", handed.Stderr, StringComparison.Ordinal);
        Assert.Equal(kept.Stdout, handed.Stdout);
        Assert.DoesNotContain("compiled ahead of time", kept.Stderr, StringComparison.Ordinal);
        Assert.True(server.ExitCode == 4, server.ToString()); // no server there: unreachable, from the CLI itself
        Assert.DoesNotContain("compiled ahead of time", server.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, help.ExitCode);
        Assert.Contains("--fetch-revocation", help.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Only_an_offline_verify_with_the_options_the_helper_knows_is_handed_over()
    {
        Assert.NotNull(LocalVerify.FromArguments(["verify", "a.pdf", "--trust", "x.pem", "--trust", "y", "--password", "p", "--json"]));
        Assert.Equal("c.txt", LocalVerify.FromArguments(["verify", "a.p7s", "--content", "c.txt"])!.Content!.Name);
        foreach (var args in new string[][]
        {
            [], ["verify"], ["inspect", "a.pdf"], ["verify", "a.pdf", "--server", "http://x"], ["verify", "a.pdf", "--fetch-revocation"],
            ["verify", "a.pdf", "--help"], ["verify", "a.pdf", "b.pdf"], ["verify", "a.pdf", "--password"], ["verify", "a.pdf", "--password", "-x"],
            ["verify", "a.pdf", "--json", "--json"], ["verify", "--trust=x.pem", "a.pdf"], ["verify", "a.pdf", "--api-key", "k"],
        })
        {
            Assert.True(LocalVerify.FromArguments(args) is null, string.Join(' ', args));
        }
    }

    /// <summary>
    /// A signature that claims no signing time is checked at the present time, which the two runs read a moment (and
    /// sometimes a minute) apart: every time stamp within a day of now, in words or in JSON, reads "(now)" in both.
    /// </summary>
    private static CliResult WithoutClock(CliResult result) => result with
    {
        Stdout = System.Text.RegularExpressions.Regex.Replace(result.Stdout, @"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?( UTC|Z)?", match =>
            DateTimeOffset.TryParse(match.Value.Replace(" UTC", "Z", StringComparison.Ordinal), System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.AssumeUniversal, out var time) && (time - DateTimeOffset.UtcNow).Duration() < TimeSpan.FromDays(1)
                ? "(now)"
                : match.Value),
    };

    private static async Task<CliResult> InProcessAsync(string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await CliApp.RunAsync(args, stdout, stderr);
        return new CliResult(exit, stdout.ToString(), stderr.ToString());
    }

    private static async Task<CliResult> RunAsync(string program, string[] args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in args)
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }
        using var process = Process.Start(start)!;
        var (stdout, stderr) = (process.StandardOutput.ReadToEndAsync(), process.StandardError.ReadToEndAsync());
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return new CliResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>The helper, published with NativeAOT into a folder of its own; needs clang (the test project's build installs it).</summary>
    public sealed class Helper : IDisposable
    {
        private readonly TempDirectory _output = new();
        private readonly Lazy<string> _path;

        public Helper() => _path = new(Publish);

        /// <summary>The published executable; skips (fails under CI) when this machine cannot compile ahead of time.</summary>
        public string Path
        {
            get
            {
                Requires.That(RuntimeInformation.IsOSPlatform(OSPlatform.Linux) && Which("clang"),
                    "clang is not installed, so the ahead-of-time verify helper cannot be compiled here: apt-get install clang zlib1g-dev.");
                return _path.Value;
            }
        }

        public void Dispose() => _output.Dispose();

        private string Publish()
        {
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var argument in new[] { "publish", System.IO.Path.Combine(RepoPaths.Root, "src", "DocEngine.Native"), "-c", "Release",
                         "-r", RuntimeInformation.RuntimeIdentifier, "-o", _output.Path, "-nologo" })
            {
                start.ArgumentList.Add(argument);
            }
            using var process = Process.Start(start)!;
            var (stdout, stderr) = (process.StandardOutput.ReadToEndAsync(), process.StandardError.ReadToEndAsync());
            process.WaitForExit();
            var path = System.IO.Path.Combine(_output.Path, "docengine-native");
            Assert.True(process.ExitCode == 0 && File.Exists(path), $"dotnet publish of the helper failed:\n{stdout.Result}\n{stderr.Result}");
            return path;
        }

        private static bool Which(string command) =>
            (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(folder => File.Exists(System.IO.Path.Combine(folder, command)));
    }
}
