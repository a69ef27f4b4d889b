using DocEngine.Core.Sandbox;

namespace DocEngine.Core.Pdf;

/// <summary>
/// The compressor's last lossless step: qpdf (Debian package <c>qpdf</c>) packs the objects that are not streams —
/// page tree, fields, annotations, tags — into deflated object streams (PDF 1.5), which neither PDFsharp 6.2 nor
/// MuPDF 1.21 writes. On forms this is most of the file once images and fonts are compact (uscis i-765 with its XFA
/// dropped: 448 KB → 217 KB). Run sandboxed under the renderer's limits; where qpdf is missing, the step is skipped.
/// </summary>
internal sealed class ObjectStreamPacker(string qpdfPath, TimeSpan timeLimit, int memoryLimitMegabytes)
{
    private readonly Lazy<bool> _available = new(() => File.Exists(qpdfPath) || (!qpdfPath.Contains('/') && Environment.GetEnvironmentVariable("PATH")?
        .Split(':').Any(d => File.Exists(Path.Combine(d, qpdfPath))) == true));

    /// <summary>True when qpdf can be run.</summary>
    public bool IsAvailable => _available.Value;

    /// <summary>Writes <paramref name="input"/> packed to <paramref name="output"/>; false (and no output) when qpdf is missing or fails.</summary>
    public async Task<bool> PackAsync(string input, string output, CancellationToken cancellationToken)
    {
        if (!IsAvailable)
        {
            return false;
        }
        var start = SandboxedProcess.StartInfo(qpdfPath, ["--object-streams=generate", "--compress-streams=y", "--decode-level=none", "--", input, output],
            Path.GetDirectoryName(output)!, new SandboxLimits((long)memoryLimitMegabytes << 20, (int)Math.Ceiling(timeLimit.TotalSeconds)));
        var run = await SandboxedProcess.RunToEndAsync(start, timeLimit, cancellationToken).ConfigureAwait(false);
        // qpdf exits 3 when it only warned; the file is written then too.
        if (run.ExitCode is 0 or 3 && File.Exists(output))
        {
            return true;
        }
        File.Delete(output);
        return false;
    }
}
