namespace DocEngine.Tests.Infrastructure.SignedPdfs;

/// <summary>Independent judges for the signed-PDF fixtures: qpdf, poppler's pdfsig and MuPDF's mutool, run on bytes via a temp file.</summary>
public static class SignedPdfTools
{
    /// <summary>Skips the test loudly when <paramref name="tool"/> is missing; under CI=true a missing tool is a failure.</summary>
    public static void Require(string tool)
    {
        if (Run(tool, [], "--version").ExitCode != -1)
        {
            return;
        }
        var message = $"{tool.ToUpperInvariant()} NOT FOUND: signed-PDF fixture checks that need {tool} are SKIPPED.";
        Requires.That(false, message);
    }

    /// <summary><c>qpdf --check</c> on <paramref name="pdf"/>: exit 0 clean, 3 warnings only, 2 errors; with the combined output.</summary>
    public static (int ExitCode, string Output) QpdfCheck(byte[] pdf)
    {
        var (exit, stdout, stderr) = Run("qpdf", pdf, "--check");
        return (exit, stdout + stderr);
    }

    /// <summary><c>pdfsig</c>'s report on <paramref name="pdf"/> (stdout and stderr).</summary>
    public static string Pdfsig(byte[] pdf)
    {
        var (_, stdout, stderr) = Run("pdfsig", pdf);
        return stdout + stderr;
    }

    /// <summary><c>mutool show</c> of <paramref name="path"/> (e.g. <c>trailer/Root/AcroForm/Fields</c>) in <paramref name="pdf"/>.</summary>
    public static (int ExitCode, string Output) MutoolShow(byte[] pdf, string path)
    {
        var (exit, stdout, stderr) = Run("mutool", pdf, "show", "{file}", path);
        return (exit, stdout + stderr);
    }

    /// <summary>Runs <c>qpdf arguments in.pdf out.pdf</c> on <paramref name="pdf"/> and returns the output file; throws with qpdf's message on exit 2 or when qpdf is missing.</summary>
    public static byte[] QpdfTransform(byte[] pdf, params string[] arguments)
    {
        var output = Path.Combine(Path.GetTempPath(), $"docengine-qpdf-{Guid.NewGuid():N}.pdf");
        try
        {
            var (exit, stdout, stderr) = Run("qpdf", pdf, [.. arguments, "{file}", output]);
            return exit is 0 or 3 ? File.ReadAllBytes(output) : throw new InvalidOperationException($"qpdf {string.Join(' ', arguments)} exited {exit}: {stdout}{stderr}");
        }
        finally
        {
            File.Delete(output);
        }
    }

    /// <summary>Runs <paramref name="program"/>; <c>{file}</c> in the arguments names a temp copy of <paramref name="pdf"/>, which is appended when absent. Exit -1 when not installed.</summary>
    public static (int ExitCode, string Stdout, string Stderr) Run(string program, byte[] pdf, params string[] arguments)
    {
        var path = Path.Combine(Path.GetTempPath(), $"docengine-signed-{Guid.NewGuid():N}.pdf");
        try
        {
            if (pdf.Length > 0)
            {
                File.WriteAllBytes(path, pdf);
            }
            var withFile = arguments.Select(a => a == "{file}" ? path : a);
            return PdfTools.Run(program, [.. withFile, .. pdf.Length > 0 && !arguments.Contains("{file}") ? [path] : Array.Empty<string>()]);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
