using System.Diagnostics;
using System.Globalization;
using DocEngine.Core.Sandbox;

namespace DocEngine.Core.Archive;

/// <summary>
/// Makes PDF/A-2b copies with Ghostscript (<c>-dPDFA=2</c>, an sRGB output intent, colours converted to RGB) with
/// <c>PDFACompatibilityPolicy=2</c>, so that Ghostscript stops rather than write a file that is not PDF/A; every copy is
/// then checked by <see cref="PdfAConformance"/> and refused if it breaks a rule. Ghostscript runs sandboxed: no network,
/// an empty environment, <c>-dSAFER</c> with only its scratch folder readable, memory and CPU limits, killed at the time limit.
/// </summary>
public sealed class PdfAWriter
{
    private static readonly string[] ProfileCandidates =
    [
        "/usr/share/color/icc/ghostscript/srgb.icc",
        "/usr/share/color/icc/sRGB.icc",
        "/usr/share/color/icc/colord/sRGB.icc",
    ];

    private readonly ArchiveOptions _options;
    private readonly Lazy<string?> _unavailable;
    private readonly Lazy<string?> _profile;

    /// <summary>Creates the writer; nothing runs until the first copy.</summary>
    public PdfAWriter(ArchiveOptions options)
    {
        _options = options;
        _profile = new Lazy<string?>(() => options.SrgbProfilePath ?? ProfileCandidates.FirstOrDefault(File.Exists)
            ?? Directory.EnumerateFiles("/usr/share/ghostscript", "srgb.icc", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true }).FirstOrDefault());
        _unavailable = new Lazy<string?>(Probe);
    }

    /// <summary>True when Ghostscript and an sRGB profile are there.</summary>
    public bool IsAvailable => _unavailable.Value is null;

    /// <summary>The refusal when PDF/A copies cannot be made here.</summary>
    public DocEngineException Unavailable() => new(ErrorKind.FailedPrecondition, "ARCHIVER_MISSING",
        $"PDF/A archival copies cannot be made on this server ({_unavailable.Value}): ask the operator to install it.");

    /// <summary>Writes the PDF/A-2b copy of the unencrypted <paramref name="inputPdf"/> to <paramref name="outputPdf"/>, checked.</summary>
    public async Task<PdfAReport> WriteAsync(string inputPdf, string outputPdf, string scratch, CancellationToken cancellationToken)
    {
        if (!IsAvailable)
        {
            throw Unavailable();
        }
        var work = Directory.CreateDirectory(Path.Combine(scratch, "pdfa-" + Guid.NewGuid().ToString("N")[..8])).FullName;
        try
        {
            var profile = Path.Combine(work, "srgb.icc");
            File.Copy(_profile.Value!, profile);
            var definitions = Path.Combine(work, "docengine-pdfa.ps"); // not PDFA_def.ps: Ghostscript's own copy of that name would win
            await File.WriteAllTextAsync(definitions, OutputIntent(profile), cancellationToken).ConfigureAwait(false);
            var output = Path.Combine(work, "pdfa.pdf");
            var start = SandboxedProcess.StartInfo(_options.GhostscriptPath,
                ["-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-dPDFA=2", "-dPDFACompatibilityPolicy=2", "-sColorConversionStrategy=RGB",
                    "-sDEVICE=pdfwrite", "-dAutoRotatePages=/None", $"-sOutputFile={output}", $"--permit-file-read={work}/", definitions, inputPdf],
                work, new SandboxLimits((long)_options.MemoryLimitMegabytes << 20, (int)Math.Ceiling(_options.MaxDocumentTime.TotalSeconds), NoNetwork: true));
            SandboxResult result;
            try
            {
                result = await SandboxedProcess.RunToEndAsync(start, _options.MaxDocumentTime, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new DocEngineException(ErrorKind.ResourceExhausted, "ARCHIVE_TIMEOUT",
                    $"Making the PDF/A copy took longer than {_options.MaxDocumentTime.TotalSeconds:0} seconds and was stopped: the document is unusually complex; split it and try again.");
            }
            // Ghostscript exits 0 after some failures (a password it lacks, a PDF/A feature it aborts on): its words decide too.
            var said = result.Output + result.Errors;
            if (result.ExitCode != 0 || !File.Exists(output) || said.Contains("Error", StringComparison.Ordinal)
                || said.Contains("aborted", StringComparison.OrdinalIgnoreCase) || said.Contains("No pages will be processed", StringComparison.Ordinal))
            {
                throw new DocEngineException(ErrorKind.FailedPrecondition, "ARCHIVE_FAILED",
                    "This document cannot be made into a PDF/A archival copy as it is (it uses something PDF/A forbids, or it is damaged): print it to a new PDF and try again.")
                {
                    Details = new Dictionary<string, string> { ["archiver_message"] = FirstLine(said) },
                };
            }
            var report = PdfAConformance.Check(output);
            if (!report.Conforms)
            {
                throw new DocEngineException(ErrorKind.FailedPrecondition, "ARCHIVE_NOT_CONFORMANT",
                    $"The PDF/A copy of this document breaks a PDF/A-2b rule ({report.Violations[0]}), so it was not kept: print the document to a new PDF and try again.");
            }
            File.Move(output, outputPdf, overwrite: true);
            return report;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>The PostScript that gives the copy its output intent: the sRGB profile as DestOutputProfile, GTS_PDFA1.</summary>
    private static string OutputIntent(string profile) => string.Create(CultureInfo.InvariantCulture, $$"""
        %!
        /ICCProfile ({{profile}}) def
        [/_objdef {icc_PDFA} /type /stream /OBJ pdfmark
        [{icc_PDFA} << /N 3 >> /PUT pdfmark
        [{icc_PDFA} ICCProfile (r) file /PUT pdfmark
        [/_objdef {OutputIntent_PDFA} /type /dict /OBJ pdfmark
        [{OutputIntent_PDFA} << /Type /OutputIntent /S /GTS_PDFA1 /DestOutputProfile {icc_PDFA} /OutputConditionIdentifier (sRGB) /Info (sRGB IEC61966-2.1) >> /PUT pdfmark
        [{Catalog} << /OutputIntents [ {OutputIntent_PDFA} ] >> /PUT pdfmark

        """);

    private static string FirstLine(string text) => text.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0) ?? "";

    private string? Probe()
    {
        if (_profile.Value is null)
        {
            return "no sRGB ICC profile was found: apt-get install ghostscript";
        }
        try
        {
            var start = SandboxedProcess.StartInfo(_options.GhostscriptPath, ["--version"], Path.GetTempPath(), new SandboxLimits(null, 30));
            using var process = Process.Start(start)!;
            process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode == 0 ? null : "Ghostscript does not run: apt-get install ghostscript";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "Ghostscript is not installed: apt-get install ghostscript";
        }
    }
}
