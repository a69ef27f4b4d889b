using DocEngine.Core.Signatures;
using Google.Protobuf.WellKnownTypes;

namespace DocEngine.Contract.V1;

/// <summary>
/// Signature reports to contract messages. Compiled into the server and the CLI (linked from DocEngine.Cli.csproj), so
/// `docengine verify --json` prints the same JSON offline as through the server.
/// </summary>
internal static class SignatureMapping
{
    public static SignatureReport ToProto(this Core.Signatures.SignatureReport report)
    {
        var proto = new SignatureReport
        {
            Verdict = report.Verdict switch
            {
                SignatureVerdict.NotSigned => Verdict.NotSigned,
                SignatureVerdict.Valid => Verdict.Valid,
                SignatureVerdict.ValidUntrusted => Verdict.ValidUntrusted,
                SignatureVerdict.Modified => Verdict.Modified,
                _ => Verdict.Invalid,
            },
            Explanation = report.Explanation,
            Revisions = report.Revisions,
            TrustAnchors = report.TrustAnchors,
        };
        proto.Signatures.AddRange(report.Signatures.Select(ToProto));
        proto.UnsignedSignatureFields.AddRange(report.UnsignedSignatureFields);
        proto.Repairs.AddRange(report.Repairs);
        proto.OtherMarks.AddRange(report.OtherMarks.Select(m => new NonCryptographicMark
        {
            Kind = m.Kind switch
            {
                Core.Signatures.MarkKind.TypedName => MarkKind.TypedName,
                Core.Signatures.MarkKind.Stamp => MarkKind.Stamp,
                Core.Signatures.MarkKind.Ink => MarkKind.Ink,
                _ => MarkKind.ImageField,
            },
            FieldName = m.FieldName ?? "",
            Page = m.Page,
            Text = m.Text ?? "",
        }));
        return proto;
    }

    private static SignatureCheck ToProto(SignatureFinding finding)
    {
        var check = new SignatureCheck
        {
            FieldName = finding.FieldName,
            SubFilter = finding.SubFilter,
            Signer = finding.Signer?.ToProto(),
            SigningTime = finding.SigningTime is { } time ? Timestamp.FromDateTimeOffset(time) : null,
            Timestamp = finding.Timestamp is { } stamp ? new TimestampToken
            {
                Time = stamp.Time == DateTimeOffset.MinValue ? null : Timestamp.FromDateTimeOffset(stamp.Time),
                Verified = stamp.Verified,
                Authority = stamp.Authority?.ToProto(),
                DigestAlgorithm = stamp.DigestAlgorithm,
                Problem = stamp.Problem ?? "",
            } : null,
            DigestAlgorithm = finding.DigestAlgorithm,
            SignatureAlgorithm = finding.SignatureAlgorithm,
            Integrity = finding.Integrity switch
            {
                SignatureIntegrity.Intact => Integrity.Intact,
                SignatureIntegrity.Broken => Integrity.Broken,
                SignatureIntegrity.Malformed => Integrity.Malformed,
                _ => Integrity.Unsupported,
            },
            Coverage = finding.Coverage switch
            {
                SignatureCoverage.EntireFile => Coverage.EntireFile,
                SignatureCoverage.EntireRevision => Coverage.EntireRevision,
                _ => Coverage.Nonstandard,
            },
            ModificationLevel = finding.ModificationLevel switch
            {
                Core.Signatures.ModificationLevel.None => ModificationLevel.None,
                Core.Signatures.ModificationLevel.Archival => ModificationLevel.Archival,
                Core.Signatures.ModificationLevel.FormFilling => ModificationLevel.FormFilling,
                Core.Signatures.ModificationLevel.Annotations => ModificationLevel.Annotations,
                _ => ModificationLevel.Other,
            },
            Trust = finding.Trust switch
            {
                SignerTrust.Trusted => Trust.Trusted,
                SignerTrust.Untrusted => Trust.Untrusted,
                _ => Trust.UnknownSigner,
            },
            DocMdp = finding.DocMdp,
            Kind = finding.Kind switch
            {
                Core.Signatures.SignatureKind.Approval => SignatureKind.Approval,
                Core.Signatures.SignatureKind.Certification => SignatureKind.Certification,
                Core.Signatures.SignatureKind.DocumentTimestamp => SignatureKind.DocumentTimestamp,
                _ => SignatureKind.Detached,
            },
            Revision = finding.Revision,
            SignerName = finding.SignerName ?? "",
            Reason = finding.Reason ?? "",
            Location = finding.Location ?? "",
            TrustCheckedAt = finding.TrustCheckedAt is { } at ? Timestamp.FromDateTimeOffset(at) : null,
            TrustTimeIsClaimed = finding.TrustTimeIsClaimed,
            RevocationStatus = finding.RevocationStatus switch
            {
                Core.Signatures.RevocationStatus.Good => RevocationStatus.Good,
                Core.Signatures.RevocationStatus.Revoked => RevocationStatus.Revoked,
                Core.Signatures.RevocationStatus.Unknown => RevocationStatus.Unknown,
                _ => RevocationStatus.NotChecked,
            },
            RevocationDetail = finding.RevocationDetail ?? "",
        };
        check.Problems.AddRange(finding.Problems);
        check.ByteRange.AddRange(finding.ByteRange);
        check.Changes.AddRange(finding.Changes);
        check.Chain.AddRange(finding.Chain.Select(c => c.ToProto()));
        check.Revocation.AddRange(finding.Revocation.Select(r => new RevocationData { Source = r.Source, Crls = r.Crls, OcspResponses = r.OcspResponses }));
        check.LockedFields.AddRange(finding.LockedFields);
        return check;
    }

    private static Certificate ToProto(this CertificateSummary certificate) => new()
    {
        Subject = certificate.Subject,
        Issuer = certificate.Issuer,
        Serial = certificate.Serial,
        Validity = new Validity
        {
            NotBefore = Timestamp.FromDateTimeOffset(certificate.NotBefore),
            NotAfter = Timestamp.FromDateTimeOffset(certificate.NotAfter),
        },
        Sha256 = certificate.Sha256,
    };
}
