using DocEngine.Core.Pdf;

namespace DocEngine.Cli.Common;

/// <summary>Human words for the enum values that human output shows; <c>--json</c> keeps the contract's names.</summary>
public static class Words
{
    /// <summary>"ValidUntrusted" → "valid untrusted": a PascalCase name as lowercase words.</summary>
    public static string Of(Enum value) => Of(value.ToString());

    /// <summary>"FormFilling" → "form filling".</summary>
    public static string Of(string pascal) =>
        string.Concat(pascal.Select((c, i) => i > 0 && char.IsUpper(c) ? " " + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));

    /// <summary>A PDF's encryption as a person needs to know it.</summary>
    public static string Of(PdfEncryption encryption) => encryption switch
    {
        PdfEncryption.None => "none",
        PdfEncryption.OpensWithoutPassword => "opens without a password (an owner password restricts printing or copying)",
        _ => "needs a password to open",
    };

    /// <summary>A verdict by the contract's name (<c>VERDICT_VALID_UNTRUSTED</c>), as receipts carry it, in words.</summary>
    public static string OfVerdict(string contractName) => contractName switch
    {
        "VERDICT_NOT_SIGNED" => "not signed (no digital signature)",
        "VERDICT_VALID" => "valid (signatures intact and trusted)",
        "VERDICT_VALID_UNTRUSTED" => "valid but untrusted (intact, signer not confirmed)",
        "VERDICT_MODIFIED" => "modified after signing",
        "VERDICT_INVALID" => "invalid",
        _ => contractName,
    };
}
