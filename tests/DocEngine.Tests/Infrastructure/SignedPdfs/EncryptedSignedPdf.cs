using System.Globalization;
using System.Text.Json;

namespace DocEngine.Tests.Infrastructure.SignedPdfs;

/// <summary>
/// A password-encrypted form that carries a valid signature, made as a signing tool makes it: qpdf encrypts the hand-written
/// <see cref="FormPdf"/> (standard security handler, classic xref, no object streams), then <see cref="PdfSigner"/> appends the
/// signature as an incremental update whose signature dictionary is a top-level object holding no encryptable strings.
/// </summary>
public static class EncryptedSignedPdf
{
    /// <summary>The owner password qpdf is given.</summary>
    public const string OwnerPassword = "owner";

    /// <summary>The encryption methods <see cref="Encrypt"/> accepts: AES-256 (R6), AES-128 (R4) and RC4-128 (R3).</summary>
    public static IReadOnlyList<string> Methods { get; } = ["aes256", "aes128", "rc4"];

    /// <summary>The hand-written form encrypted with <paramref name="method"/> and signed in "Signature1" (signing time as a CMS signed attribute, since /M would need encrypting); the whole file.</summary>
    public static byte[] Create(string userPassword = "applicant", string method = "aes256") =>
        Sign(Encrypt(FormPdf.Create().Bytes, userPassword, method), userPassword, new PdfSignOptions { Cms = new CmsOptions { SigningTime = DateTimeOffset.UtcNow } }).Bytes;

    /// <summary>Encrypts <paramref name="pdf"/> with qpdf (user <paramref name="userPassword"/>, owner <see cref="OwnerPassword"/>), objects kept out of object streams.</summary>
    public static byte[] Encrypt(byte[] pdf, string userPassword = "applicant", string method = "aes256")
    {
        string[] key = method switch
        {
            "aes256" => ["256"],
            "aes128" => ["128", "--use-aes=y"],
            "rc4" => ["128", "--use-aes=n"],
            _ => throw new ArgumentOutOfRangeException(nameof(method), method, "Use aes256, aes128 or rc4."),
        };
        // qpdf 11 refuses to write RC4 unless told that weak crypto is wanted.
        string[] weak = method == "rc4" ? ["--allow-weak-crypto"] : [];
        return SignedPdfTools.QpdfTransform(pdf, [.. weak, "--object-streams=disable", "--encrypt", userPassword, OwnerPassword, .. key, "--"]);
    }

    /// <summary>Signs an encrypted file as a new revision: finds the field by name with qpdf and signs with <see cref="PdfSignOptions.EncryptedTarget"/>.</summary>
    public static SignedPdf Sign(byte[] encrypted, string userPassword = "applicant", PdfSignOptions? options = null)
    {
        options ??= new PdfSignOptions();
        var field = options.FieldObject ?? FieldObject(encrypted, userPassword, options.FieldName);
        return PdfSigner.Sign(encrypted, options with { FieldObject = field, EncryptedTarget = true });
    }

    /// <summary>The object number of the field named <paramref name="name"/>, read from <c>qpdf --json --json-key=acroform</c> (the /T strings are encrypted).</summary>
    public static int FieldObject(byte[] pdf, string password, string name)
    {
        var (exit, stdout, stderr) = SignedPdfTools.Run("qpdf", pdf, $"--password={password}", "--json", "--json-key=acroform", "{file}");
        if (exit is not (0 or 3))
        {
            throw new InvalidOperationException($"qpdf --json exited {exit}: {stderr}");
        }
        using var json = JsonDocument.Parse(stdout);
        foreach (var field in json.RootElement.GetProperty("acroform").GetProperty("fields").EnumerateArray())
        {
            if (field.GetProperty("fullname").GetString() == name)
            {
                var reference = field.GetProperty("object").GetString() ?? "";
                return int.Parse(reference.Split(' ')[0], CultureInfo.InvariantCulture);
            }
        }
        throw new KeyNotFoundException($"qpdf lists no field named {name}.");
    }
}
