extern alias cli;
using System.Diagnostics;
using System.Runtime.InteropServices;
using CliApp = cli::DocEngine.Cli.CliApp;
using LocalVerify = cli::DocEngine.Cli.Commands.LocalVerify;
using LocalPreview = cli::DocEngine.Cli.Commands.LocalPreview;
using DocEngine.Tests.Infrastructure;
using DocEngine.Tests.Infrastructure.SignedPdfs;

namespace DocEngine.Tests.Cli;

/// <summary>
/// The offline <c>docengine verify</c> and <c>docengine preview</c> compiled ahead of time (<c>src/DocEngine.Native</c>,
/// issue 18) print exactly what the CLI prints, exit code and stderr included, and write the same files; the CLI hands
/// such a command line to the helper when it sits beside it. The helper is published with NativeAOT once for this class
/// (about a minute of both cores).
/// </summary>
[Collection(RunsAlone.Collection)]
public sealed class NativeHelperTests(NativeHelperTests.Helper helper) : IClassFixture<NativeHelperTests.Helper>
{
    [SkippableFact]
    public async Task The_helper_prints_what_the_cli_prints_for_signed_modified_encrypted_unreadable_and_hostile_files()
    {
        using var work = new TempDirectory();
        string Write(string name, byte[] bytes) => WriteFile(work.Path, name, bytes);
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
    public async Task The_cli_hands_an_offline_verify_or_pdf_preview_to_the_helper_beside_it_and_the_helper_as_the_tools_command_hands_every_other_command_line_to_the_cli()
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
        var previewed = await RunAsync("dotnet", [cli, "preview", signed, "--pages", "1", "--out", Path.Combine(work.Path, "pages"), "--json"], debug);
        var previewedKept = await RunAsync("dotnet", [cli, "preview", signed, "--pages", "1", "--out", Path.Combine(work.Path, "pages"), "--json"],
            new Dictionary<string, string>(debug) { ["DOCENGINE_NATIVE"] = "0" });
        var kept = await RunAsync("dotnet", [cli, "verify", signed, "--json"], new Dictionary<string, string>(debug) { ["DOCENGINE_NATIVE"] = "0" });
        var server = await RunAsync("dotnet", [cli, "verify", signed, "--server", "http://127.0.0.1:1", "--api-key", "k"], debug);
        var help = await RunAsync("dotnet", [cli, "verify", "--help"], debug);
        // The installed tool's command is the helper itself: it runs what it can, and hands the rest to the CLI beside it.
        var native = Path.Combine(tool, "docengine-native");
        File.SetUnixFileMode(native, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute); // as the tool installer leaves it
        var front = await RunAsync(native, ["verify", signed, "--json"], debug);
        var frontKept = await RunAsync(native, ["verify", signed, "--json"], new Dictionary<string, string>(debug) { ["DOCENGINE_NATIVE"] = "0" });
        var frontVersion = await RunAsync(native, ["--version"], debug);
        var cliVersion = await RunAsync("dotnet", [cli, "--version"]);
        var frontInspect = await RunAsync(native, ["inspect", signed, "--json"], debug);
        var cliInspect = await RunAsync("dotnet", [cli, "inspect", signed, "--json"]);

        Assert.True(handed.ExitCode == 0, handed.ToString());
        Assert.Contains("compiled ahead of time", handed.Stderr, StringComparison.Ordinal);
        Assert.Equal(kept.Stdout, handed.Stdout);
        Assert.DoesNotContain("compiled ahead of time", kept.Stderr, StringComparison.Ordinal);
        Assert.True(previewed.ExitCode == 0, previewed.ToString());
        Assert.Contains("this preview runs in", previewed.Stderr, StringComparison.Ordinal);
        Assert.Equal(previewedKept.Stdout, previewed.Stdout);
        Assert.Contains("page-0001.png", previewed.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("compiled ahead of time", previewedKept.Stderr, StringComparison.Ordinal);
        Assert.True(server.ExitCode == 4, server.ToString()); // no server there: unreachable, from the CLI itself
        Assert.DoesNotContain("compiled ahead of time", server.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, help.ExitCode);
        Assert.Contains("--fetch-revocation", help.Stdout, StringComparison.Ordinal);

        Assert.True(front.ExitCode == 0, front.ToString());
        Assert.Contains("compiled ahead of time", front.Stderr, StringComparison.Ordinal);
        Assert.Equal(kept.Stdout, front.Stdout);
        Assert.True(frontKept.ExitCode == 0, frontKept.ToString());
        Assert.Contains("this verify runs in .NET", frontKept.Stderr, StringComparison.Ordinal);
        Assert.Equal(kept.Stdout, frontKept.Stdout);
        Assert.True(frontVersion.ExitCode == 0 && frontVersion.Stdout == cliVersion.Stdout, frontVersion + "\n" + cliVersion);
        Assert.Contains("this --version runs in .NET", frontVersion.Stderr, StringComparison.Ordinal);
        Assert.True(frontInspect.ExitCode == cliInspect.ExitCode && frontInspect.Stdout == cliInspect.Stdout, frontInspect + "\n" + cliInspect);
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

    [SkippableFact]
    public async Task The_helper_writes_and_prints_what_the_cli_does_for_previews_of_every_kind_of_pdf_and_request()
    {
        using var work = new TempDirectory();
        string Write(string name, byte[] bytes) => WriteFile(work.Path, name, bytes);
        var pages = Write("twelve pages.pdf", HostileFiles.ManyPagesPdf(12));
        var form = Write("form.pdf", FormPdf.Create().Bytes);
        var locked = Write("locked.pdf", EncryptedSignedPdf.Create());
        var truncated = Write("truncated.pdf", File.ReadAllBytes(form)[..^40]);
        string[] hostile =
        [
            Write("nested arrays.pdf", HostileFiles.NestedArrayPdf()), Write("flate bomb.pdf", HostileFiles.FlateBombPdf(2L << 30)),
            Write("page tree loop.pdf", HostileFiles.PageTreeLoopPdf()),
        ];
        string[][] cases =
        [
            ["preview", pages], ["preview", pages, "--pages", "2-3,11", "--width", "300", "--json"], ["preview", pages, "--pages", "5", "--dpi", "20"],
            ["preview", form, "--format", "jpeg", "--width", "400"], ["preview", form, "--format", "webp", "--contact-sheet", "--json"],
            ["preview", form, "--contact-sheet", "--width", "200"],
            ["preview", locked, "--password", "applicant", "--json"], ["preview", locked], ["preview", locked, "--password", "wrong"],
            ["preview", pages, "--pages", "13"], ["preview", pages, "--width", "5"], ["preview", pages, "--dpi", "900"],
            ["preview", truncated, "--json"], .. hostile.Select(h => new[] { "preview", h }),
        ];
        foreach (var args in cases)
        {
            await AssertSamePreviewsAsync(args, Path.Combine(work.Path, "out"));
        }
    }

    [SkippableFact]
    public async Task The_helper_writes_and_prints_what_the_cli_does_for_page_one_of_every_pdf_of_the_shared_corpus()
    {
        var files = CorpusManifest.Corpus().Where(e => e.Name.StartsWith("pdf-", StringComparison.Ordinal) && e.Name.EndsWith(".pdf", StringComparison.Ordinal)).ToList();
        using var work = new TempDirectory();
        var output = Path.Combine(work.Path, "out");
        // A PDF without "%PDF-" in its first kilobyte (the corpus has damaged ones) is left to the CLI: no hand-off to compare.
        var handed = files.Where(f => LocalPreview.FromArguments(["preview", f.Path, "--out", output]) is not null).ToList();
        Assert.True(handed.Count >= files.Count - 3, $"{handed.Count} of {files.Count} corpus PDFs would be handed over");
        foreach (var file in handed)
        {
            await AssertSamePreviewsAsync(["preview", file.Path, "--pages", "1", "--width", "200", "--json"], output);
        }
    }

    [Fact]
    public void Only_an_offline_preview_of_a_pdf_with_the_options_the_helper_knows_is_handed_over()
    {
        using var work = new TempDirectory();
        var pdf = Path.Combine(work.Path, "a.pdf");
        File.WriteAllBytes(pdf, [.. "junk before the header\n%PDF-1.7\n"u8, .. new byte[100]]);
        var png = Path.Combine(work.Path, "a.png");
        File.WriteAllBytes(png, [0x89, (byte)'P', (byte)'N', (byte)'G', .. new byte[100]]);
        var request = LocalPreview.FromArguments(["preview", pdf, "--out", "d", "--pages", "1-2", "--width", "300", "--format", "webp",
            "--contact-sheet", "--password", "p", "--json"])!.Request;
        Assert.Equal(("1-2", 300, "WebP", "p", true), (request.Pages, request.Width, request.Format.ToString(), request.Password, request.ContactSheet));
        Assert.Equal(72, LocalPreview.FromArguments(["preview", "--dpi", "72", pdf, "--out", "d"])!.Request.Dpi);
        foreach (var args in new string[][]
        {
            ["preview", pdf], ["preview", png, "--out", "d"], ["preview", Path.Combine(work.Path, "missing.pdf"), "--out", "d"],
            ["preview", "applications/a/documents/b", "--out", "d"], ["preview", pdf, "--out", "d", "--server", "http://x"],
            ["preview", pdf, "--out", "d", "--help"], ["preview", pdf, "--out", "d", "--format", "gif"], ["preview", pdf, "--out", "d", "--width", "wide"],
            ["preview", pdf, "--out", "d", "--width", "-5"], ["preview", pdf, pdf, "--out", "d"], ["preview", pdf, "--out", "d", "--out", "e"],
            ["preview", pdf, "--out=d"], ["verify", pdf, "--out", "d"],
        })
        {
            Assert.True(LocalPreview.FromArguments(args) is null, string.Join(' ', args));
        }
    }

    /// <summary>
    /// Runs the preview <paramref name="args"/> with <c>--out <paramref name="output"/></c> in the CLI, then in the helper
    /// (the folder emptied between), and asserts the same exit code, stdout and stderr, and the same files: PNGs byte for
    /// byte (mutool's pixels, our encoder); JPEG and WebP the same size and pixels within half a level on average, since
    /// ImageSharp's encoders take other vector paths compiled ahead of time than when the JIT sees this machine's CPU.
    /// </summary>
    private async Task AssertSamePreviewsAsync(string[] args, string output)
    {
        args = [.. args, "--out", output];
        Assert.True(LocalPreview.FromArguments(args) is not null, string.Join(' ', args)); // a command line the CLI hands over
        async Task<(CliResult Result, Dictionary<string, byte[]> Files)> RunOnceAsync(Func<Task<CliResult>> run)
        {
            if (Directory.Exists(output))
            {
                Directory.Delete(output, recursive: true);
            }
            var result = await run();
            var files = Directory.Exists(output) ? Directory.EnumerateFiles(output).ToDictionary(f => Path.GetFileName(f), File.ReadAllBytes) : [];
            return (result, files);
        }
        var expected = await RunOnceAsync(() => InProcessAsync(args));
        var actual = await RunOnceAsync(() => RunAsync(helper.Path, args));
        var what = $"{string.Join(' ', args)}\nCLI: {expected.Result}\nhelper: {actual.Result}";
        Assert.True(expected.Result == actual.Result, what);
        Assert.True(expected.Files.Keys.Order().SequenceEqual(actual.Files.Keys.Order()),
            $"{what}\nCLI wrote: {string.Join(", ", expected.Files.Keys)}\nhelper wrote: {string.Join(", ", actual.Files.Keys)}");
        foreach (var (name, bytes) in expected.Files)
        {
            if (name.EndsWith(".png", StringComparison.Ordinal))
            {
                Assert.True(bytes.AsSpan().SequenceEqual(actual.Files[name]), $"{what}\n{name} differs");
                continue;
            }
            using var cli = Pixels.Load(bytes);
            using var native = Pixels.Load(actual.Files[name]);
            Assert.Equal((cli.Width, cli.Height), (native.Width, native.Height));
            var error = Pixels.MeanAbsoluteError(cli, native, 256);
            Assert.True(error < 0.5, $"{what}\n{name}: mean difference {error:0.00} levels");
        }
    }

    private static string WriteFile(string folder, string name, byte[] bytes)
    {
        var path = Path.Combine(folder, name);
        File.WriteAllBytes(path, bytes);
        return path;
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
