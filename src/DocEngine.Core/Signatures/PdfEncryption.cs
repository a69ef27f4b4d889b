using DocEngine.Core.Signatures.Syntax;

namespace DocEngine.Core.Signatures;

/// <summary>Encrypted signed PDFs: placeholder until decryption lands.</summary>
internal static class PdfEncryption
{
    public static void Unlock(PdfFile file, string? password)
    {
        _ = file;
        _ = password;
    }
}
