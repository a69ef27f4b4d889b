using System.Diagnostics;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace DocEngine.Tests.Infrastructure;

/// <summary>
/// Independent judges of a PDF: qpdf checks its structure, MuPDF counts and draws its pages. The compression tests skip
/// loudly without qpdf, and fail under CI, whose test build installs it.
/// </summary>
public static class PdfTools
{
    /// <summary>Skips the test loudly when qpdf is missing (a failure under CI).</summary>
    public static void RequireQpdf()
    {
        if (Run("qpdf", "--version").ExitCode == 0)
        {
            return;
        }
        const string message = "QPDF NOT FOUND: PDF compression tests are SKIPPED (the test build installs qpdf when it may).";
        Requires.That(false, message);
    }

    /// <summary><c>qpdf --check</c>: 0 clean, 3 warnings only, 2 errors.</summary>
    public static (int ExitCode, string Output) QpdfCheck(string path, string? password = null)
    {
        var (exit, stdout, stderr) = password is null ? Run("qpdf", "--check", path) : Run("qpdf", $"--password={password}", "--check", path);
        return (exit, stdout + stderr);
    }

    /// <summary>Whether qpdf sees encryption.</summary>
    public static bool IsEncrypted(string path) => !Run("qpdf", "--show-encryption", path).Stdout.Contains("File is not encrypted", StringComparison.Ordinal);

    /// <summary>The page count MuPDF sees.</summary>
    public static int Pages(string path, string? password = null)
    {
        var (_, output, _) = password is null ? Run("mutool", "show", path, "trailer/Root/Pages/Count") : Run("mutool", "show", "-p", password, path, "trailer/Root/Pages/Count");
        return int.Parse(output.Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The form's top-level fields as MuPDF reads them (0 without a form).</summary>
    public static int FormFields(string path, string? password = null)
    {
        var (_, output, _) = password is null ? Run("mutool", "show", path, "trailer/Root/AcroForm/Fields") : Run("mutool", "show", "-p", password, path, "trailer/Root/AcroForm/Fields");
        return System.Text.RegularExpressions.Regex.Matches(output, @"\d+ \d+ R").Count;
    }

    /// <summary>Pages <paramref name="first"/>..<paramref name="last"/> drawn by MuPDF at <paramref name="dpi"/>.</summary>
    public static List<Image<Rgb24>> Draw(string path, int dpi, int first, int last, string? password = null)
    {
        var directory = Directory.CreateTempSubdirectory("docengine-draw-");
        try
        {
            var arguments = new List<string> { "draw", "-q", "-r", dpi.ToString(System.Globalization.CultureInfo.InvariantCulture), "-o", Path.Combine(directory.FullName, "page-%d.png") };
            if (password is not null)
            {
                arguments.AddRange(["-p", password]);
            }
            arguments.AddRange([path, $"{first}-{last}"]);
            var (exit, _, errors) = Run("mutool", [.. arguments]);
            Assert.True(exit == 0, errors);
            return Enumerable.Range(first, last - first + 1).Select(page => Image.Load<Rgb24>(Path.Combine(directory.FullName, $"page-{page}.png"))).ToList();
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    /// <summary>Runs <paramref name="program"/> to its end; exit -1 when it is not installed.</summary>
    internal static (int ExitCode, string Stdout, string Stderr) Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        try
        {
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, stdout.Result, stderr);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return (-1, "", $"{program} is not installed");
        }
    }
}
