using System.Globalization;
using DocEngine.Cli.Common;
using DocEngine.Contract.V1;
using DocEngine.Core.Signatures;
using Google.Protobuf;
using SignatureReport = DocEngine.Contract.V1.SignatureReport;
using SignatureKind = DocEngine.Contract.V1.SignatureKind;

namespace DocEngine.Cli.Commands;

/// <summary>
/// An offline <c>docengine verify</c> of a local file, as both the CLI and its ahead-of-time compiled helper
/// (<c>src/DocEngine.Native</c>, which this file is linked into) run it: the same checks of the arguments, the same
/// sentences and the same output, so which of the two ran cannot be told from what it prints.
/// </summary>
internal sealed record LocalVerify(FileInfo File, FileInfo? Content, string? Password, IReadOnlyList<string> Trust, bool Json)
{
    /// <summary>
    /// The verify this command line asks for, when it is one the helper runs: <c>verify INPUT</c> with only
    /// <c>--trust</c>, <c>--password</c>, <c>--content</c> and <c>--json</c>. Anything else (help, <c>--server</c>,
    /// <c>--fetch-revocation</c>, a usage error) is null and is left to the CLI's own parser.
    /// </summary>
    public static LocalVerify? FromArguments(IReadOnlyList<string> args) =>
        HandOffArguments.Read(args, "verify", ["--json"], ["--password", "--content"], ["--trust"]) is { } line
            ? new LocalVerify(new FileInfo(line.Input), line.Value("--content") is { } content ? new FileInfo(content) : null, line.Value("--password"),
                line.Values.GetValueOrDefault("--trust") ?? [], line.Flags.Contains("--json"))
            : null;

    /// <summary>
    /// The file a signature signs: <see cref="Content"/>, or for a <c>.p7s</c> the same name without it; null for a
    /// PDF. A missing file is a usage error with its sentence.
    /// </summary>
    public FileInfo? SignedFile()
    {
        if (!File.Exists)
        {
            throw new CliFailure(ExitCodes.Usage, $"No such file: {File.FullName}.");
        }
        var signed = Content;
        if (signed is null && File.Extension.Equals(".p7s", StringComparison.OrdinalIgnoreCase))
        {
            signed = new FileInfo(File.FullName[..^4]);
            if (!signed.Exists)
            {
                throw new CliFailure(ExitCodes.Usage, $"{File.Name} is a detached signature: give the file it signs with --content FILE.");
            }
        }
        if (signed is { Exists: false })
        {
            throw new CliFailure(ExitCodes.Usage, $"No such file: {signed.FullName}.");
        }
        return signed;
    }

    /// <summary>The certificates <c>--trust</c> names; one that cannot be read is a usage error with its sentence.</summary>
    public TrustAnchors Anchors()
    {
        try
        {
            return TrustAnchors.Load(Trust);
        }
        catch (DocEngineException e)
        {
            throw new CliFailure(ExitCodes.Usage, e.Message);
        }
    }

    /// <summary>Refuses a file larger than any signed document needs before anything reads it.</summary>
    public static void CheckSize(FileInfo file, FileInfo? signed, SignatureOptions options)
    {
        if (file.Length > options.MaxBytes || signed?.Length > options.MaxBytes)
        {
            throw new CliFailure(ExitCodes.Refused, $"This file is larger than {ByteSize.Describe(options.MaxBytes)}, more than any signed document needs: ask for the signed original.");
        }
    }

    /// <summary>What <c>verify</c> prints: the report in words, or with <c>--json</c> a VerifySignaturesResponse as proto3 JSON.</summary>
    public static string Render(FileInfo file, SignatureReport report, bool json) =>
        json ? new JsonFormatter(JsonFormatter.Settings.Default).Format(new VerifySignaturesResponse { Report = report }) : Describe(file, report);

    private static string Describe(FileInfo file, SignatureReport report)
    {
        var lines = new List<string> { $"{file.Name}: {Verdicts(report.Verdict)}", "", report.Explanation, "" };
        foreach (var (signature, index) in report.Signatures.Select((s, i) => (s, i + 1)))
        {
            var who = signature.Signer is { } signer ? signer.Subject : "unknown signer";
            lines.Add($"Signature {index}{(signature.FieldName.Length > 0 ? $" (field \"{signature.FieldName}\")" : "")}: {Kind(signature.Kind)}, {signature.SubFilter}");
            lines.Add($"  Signer: {who}");
            if (signature.SigningTime is { } time)
            {
                lines.Add($"  Signed (as claimed): {time.ToDateTimeOffset().ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture)}");
            }
            if (signature.Timestamp is { } stamp)
            {
                lines.Add($"  Time-stamp: {stamp.Time?.ToDateTimeOffset().ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture)} by {stamp.Authority?.Subject ?? "?"} ({(stamp.Verified ? "verified" : "NOT verified")})");
            }
            lines.Add($"  Integrity: {Words.Of(signature.Integrity)}; coverage: {Words.Of(signature.Coverage)} (revision {signature.Revision} of {report.Revisions}); changed after: {Words.Of(signature.ModificationLevel)}; trust: {Words.Of(signature.Trust)}");
            lines.Add($"  Algorithms: {signature.DigestAlgorithm}, {signature.SignatureAlgorithm}{(signature.DocMdp > 0 ? $"; certifies with DocMDP P={signature.DocMdp}" : "")}");
            if (signature.RevocationDetail.Length > 0)
            {
                lines.Add("  Revocation: " + signature.RevocationDetail);
            }
            lines.AddRange(signature.Changes.Select(c => "  Changed after signing: " + c));
            lines.AddRange(signature.Problems.Select(p => "  Problem: " + p));
        }
        lines.AddRange(report.Repairs.Select(r => "Repaired before checking: " + r));
        if (report.UnsignedSignatureFields.Count > 0)
        {
            lines.Add("Empty signature fields: " + string.Join(", ", report.UnsignedSignatureFields));
        }
        foreach (var mark in report.OtherMarks)
        {
            lines.Add($"Not a digital signature: {Words.Of(mark.Kind)}{(mark.FieldName.Length > 0 ? $" in field \"{mark.FieldName}\"" : "")}{(mark.Page > 0 ? $" on page {mark.Page}" : "")}{(mark.Text.Length > 0 ? $": \"{mark.Text}\"" : "")}");
        }
        return string.Join(Environment.NewLine, lines).TrimEnd();
    }

    private static string Verdicts(Verdict verdict) => verdict switch
    {
        Verdict.NotSigned => "NOT SIGNED (no digital signature)",
        Verdict.Valid => "VALID (signatures intact and trusted)",
        Verdict.ValidUntrusted => "VALID BUT UNTRUSTED (intact, signer not confirmed)",
        Verdict.Modified => "MODIFIED AFTER SIGNING",
        _ => "INVALID",
    };

    private static string Kind(SignatureKind kind) => kind switch
    {
        SignatureKind.Certification => "certification signature",
        SignatureKind.DocumentTimestamp => "document time-stamp",
        SignatureKind.Detached => "detached signature",
        _ => "approval signature",
    };
}
