namespace DocEngine.Core.Signatures;

/// <summary>How a verdict is named where it leaves the core: the contract's enum name, and words for people.</summary>
public static class VerdictNames
{
    /// <summary>The contract's name of a verdict (<c>VERDICT_VALID</c>, …), as receipts and batch reports carry it.</summary>
    public static string ContractName(this SignatureVerdict verdict) => verdict switch
    {
        SignatureVerdict.NotSigned => "VERDICT_NOT_SIGNED",
        SignatureVerdict.Valid => "VERDICT_VALID",
        SignatureVerdict.ValidUntrusted => "VERDICT_VALID_UNTRUSTED",
        SignatureVerdict.Modified => "VERDICT_MODIFIED",
        _ => "VERDICT_INVALID",
    };

    /// <summary>True when a person must look: a signature is broken, or the document was changed in a way it does not allow.</summary>
    public static bool NeedsAttention(this SignatureVerdict verdict) => verdict is SignatureVerdict.Invalid or SignatureVerdict.Modified;
}
