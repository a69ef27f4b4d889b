using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Operators;
using Org.BouncyCastle.Ocsp;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;
using BcBigInteger = Org.BouncyCastle.Math.BigInteger;

namespace DocEngine.Tests.Infrastructure.SignedPdfs;

/// <summary>What an OCSP response says about a certificate.</summary>
public enum OcspAnswerKind
{
    /// <summary>Not revoked.</summary>
    Good,

    /// <summary>Revoked at <see cref="OcspOptions.RevokedAt"/> for <see cref="OcspOptions.Reason"/>.</summary>
    Revoked,

    /// <summary>The responder does not know the certificate.</summary>
    Unknown,
}

/// <summary>How <see cref="TestRevocation.Ocsp"/> answers.</summary>
public sealed record OcspOptions
{
    /// <summary>The status given.</summary>
    public OcspAnswerKind Answer { get; init; } = OcspAnswerKind.Good;

    /// <summary>When the certificate was revoked (for <see cref="OcspAnswerKind.Revoked"/>).</summary>
    public DateTimeOffset RevokedAt { get; init; } = DateTimeOffset.UtcNow.AddDays(-1);

    /// <summary>The CRLReason code (RFC 5280 §5.3.1), or null for none.</summary>
    public int? Reason { get; init; } = 1;

    /// <summary>The response's thisUpdate (and producedAt); default now.</summary>
    public DateTimeOffset? ThisUpdate { get; init; }

    /// <summary>The response's nextUpdate; none when null.</summary>
    public DateTimeOffset? NextUpdate { get; init; }

    /// <summary>Signed by the delegated responder <see cref="TestPki.OcspResponder"/> (with the certificate included) instead of the root.</summary>
    public bool Delegated { get; init; }

    /// <summary>Signed by the self-made <see cref="TestPki.Stranger"/> key, naming it as responder: a forged answer.</summary>
    public bool Forged { get; init; }
}

/// <summary>OCSP responses and CRLs about certificates of <see cref="TestPki"/>, made with BouncyCastle's generators (RFC 6960, RFC 5280 §5).</summary>
public static class TestRevocation
{
    /// <summary>A DER OCSPResponse (successful, basic) about <paramref name="certificate"/>, issued by <see cref="TestPki.Root"/>.</summary>
    public static byte[] Ocsp(X509Certificate2 certificate, OcspOptions? options = null)
    {
        options ??= new OcspOptions();
        var pki = TestPki.Shared;
        var issuer = DotNetUtilities.FromX509Certificate(pki.Root);
        var id = new CertificateID(new AlgorithmIdentifier(Org.BouncyCastle.Asn1.Oiw.OiwObjectIdentifiers.IdSha1, DerNull.Instance), issuer,
            new BcBigInteger(1, certificate.SerialNumberBytes.ToArray()));
        var (signer, key) = options.Forged ? (pki.Stranger, KeyOf(pki.Stranger)) : options.Delegated ? (pki.OcspResponder, KeyOf(pki.OcspResponder)) : (pki.Root, pki.RootBcKey);
        var generator = new BasicOcspRespGenerator(new RespID(X509Name.GetInstance(signer.SubjectName.RawData)));
        var thisUpdate = (options.ThisUpdate ?? DateTimeOffset.UtcNow).UtcDateTime;
        CertificateStatus? status = options.Answer switch
        {
            OcspAnswerKind.Good => CertificateStatus.Good,
            OcspAnswerKind.Revoked => options.Reason is { } reason ? new RevokedStatus(options.RevokedAt.UtcDateTime, reason) : new RevokedStatus(new Org.BouncyCastle.Asn1.Ocsp.RevokedInfo(new Asn1GeneralizedTime(options.RevokedAt.UtcDateTime), null)),
            _ => new UnknownStatus(),
        };
        generator.AddResponse(id, status, thisUpdate, options.NextUpdate?.UtcDateTime, null);
        var chain = options.Delegated || options.Forged ? new[] { DotNetUtilities.FromX509Certificate(signer) } : null;
        var basic = generator.Generate(new Asn1SignatureFactory("SHA256WITHRSA", key), chain, thisUpdate);
        return new OCSPRespGenerator().Generate(OCSPRespGenerator.Successful, basic).GetEncoded();
    }

    /// <summary>A DER CRL from <see cref="TestPki.Root"/> listing <paramref name="revoked"/> (certificate, time, reason).</summary>
    public static byte[] Crl(IEnumerable<(X509Certificate2 Certificate, DateTimeOffset RevokedAt, int Reason)> revoked, DateTimeOffset? thisUpdate = null, DateTimeOffset? nextUpdate = null)
    {
        var pki = TestPki.Shared;
        var generator = new X509V2CrlGenerator();
        generator.SetIssuerDN(X509Name.GetInstance(pki.Root.SubjectName.RawData));
        var issued = thisUpdate ?? DateTimeOffset.UtcNow;
        generator.SetThisUpdate(issued.UtcDateTime);
        generator.SetNextUpdate((nextUpdate ?? issued.AddDays(7)).UtcDateTime);
        foreach (var (certificate, at, reason) in revoked)
        {
            generator.AddCrlEntry(new BcBigInteger(1, certificate.SerialNumberBytes.ToArray()), at.UtcDateTime, reason);
        }
        return generator.Generate(new Asn1SignatureFactory("SHA256WITHRSA", pki.RootBcKey)).GetEncoded();
    }

    private static AsymmetricKeyParameter KeyOf(X509Certificate2 certificate) =>
        DotNetUtilities.GetRsaKeyPair(certificate.GetRSAPrivateKey() ?? throw new ArgumentException("Needs an RSA key.", nameof(certificate))).Private;
}
