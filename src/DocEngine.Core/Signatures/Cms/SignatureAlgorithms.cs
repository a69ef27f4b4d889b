using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Security;

namespace DocEngine.Core.Signatures.Cms;

/// <summary>
/// Digest and signature algorithms a PDF signature may use (ETSI TS 119 312, RFC 5754, RFC 8419), checked with .NET and,
/// where .NET lacks one (Ed25519, Ed448, RSA-PSS with unusual parameters), with BouncyCastle.
/// </summary>
internal static class SignatureAlgorithms
{
    private static readonly Dictionary<string, (string Name, HashAlgorithmName? Hash)> DigestAlgorithms = new()
    {
        ["1.2.840.113549.2.5"] = ("MD5", HashAlgorithmName.MD5),
        ["1.3.14.3.2.26"] = ("SHA-1", HashAlgorithmName.SHA1),
        ["2.16.840.1.101.3.4.2.4"] = ("SHA-224", null),
        ["2.16.840.1.101.3.4.2.1"] = ("SHA-256", HashAlgorithmName.SHA256),
        ["2.16.840.1.101.3.4.2.2"] = ("SHA-384", HashAlgorithmName.SHA384),
        ["2.16.840.1.101.3.4.2.3"] = ("SHA-512", HashAlgorithmName.SHA512),
        ["2.16.840.1.101.3.4.2.8"] = ("SHA3-256", HashAlgorithmName.SHA3_256),
        ["2.16.840.1.101.3.4.2.9"] = ("SHA3-384", HashAlgorithmName.SHA3_384),
        ["2.16.840.1.101.3.4.2.10"] = ("SHA3-512", HashAlgorithmName.SHA3_512),
        ["2.16.840.1.101.3.4.2.12"] = ("SHAKE256", Digests.Shake256Of512),
        ["2.16.840.1.101.3.4.2.18"] = ("SHAKE256", Digests.Shake256Of512),
    };

    private static readonly Dictionary<string, (string Name, string? DigestOid)> Signatures = new()
    {
        ["1.2.840.113549.1.1.1"] = ("RSA PKCS#1 v1.5", null),
        ["1.2.840.113549.1.1.4"] = ("RSA PKCS#1 v1.5 with MD5", "1.2.840.113549.2.5"),
        ["1.2.840.113549.1.1.5"] = ("RSA PKCS#1 v1.5 with SHA-1", "1.3.14.3.2.26"),
        ["1.2.840.113549.1.1.14"] = ("RSA PKCS#1 v1.5 with SHA-224", "2.16.840.1.101.3.4.2.4"),
        ["1.2.840.113549.1.1.11"] = ("RSA PKCS#1 v1.5 with SHA-256", "2.16.840.1.101.3.4.2.1"),
        ["1.2.840.113549.1.1.12"] = ("RSA PKCS#1 v1.5 with SHA-384", "2.16.840.1.101.3.4.2.2"),
        ["1.2.840.113549.1.1.13"] = ("RSA PKCS#1 v1.5 with SHA-512", "2.16.840.1.101.3.4.2.3"),
        ["1.2.840.113549.1.1.10"] = ("RSA-PSS", null),
        ["1.2.840.10045.2.1"] = ("ECDSA", null),
        ["1.2.840.10045.4.1"] = ("ECDSA with SHA-1", "1.3.14.3.2.26"),
        ["1.2.840.10045.4.3.1"] = ("ECDSA with SHA-224", "2.16.840.1.101.3.4.2.4"),
        ["1.2.840.10045.4.3.2"] = ("ECDSA with SHA-256", "2.16.840.1.101.3.4.2.1"),
        ["1.2.840.10045.4.3.3"] = ("ECDSA with SHA-384", "2.16.840.1.101.3.4.2.2"),
        ["1.2.840.10045.4.3.4"] = ("ECDSA with SHA-512", "2.16.840.1.101.3.4.2.3"),
        ["1.3.101.112"] = ("Ed25519", null),
        ["1.3.101.113"] = ("Ed448", null),
        ["1.2.840.10040.4.3"] = ("DSA with SHA-1", "1.3.14.3.2.26"),
        ["2.16.840.1.101.3.4.3.2"] = ("DSA with SHA-256", "2.16.840.1.101.3.4.2.1"),
    };

    public static string DigestName(string oid) => DigestAlgorithms.TryGetValue(oid, out var d) ? d.Name : oid;

    public static HashAlgorithmName? DigestHash(string oid) => DigestAlgorithms.TryGetValue(oid, out var d) ? d.Hash : null;

    public static string SignatureName(string oid) => Signatures.TryGetValue(oid, out var s) ? s.Name : oid;

    /// <summary>Whether the signature algorithm is one that hashes internally (pure EdDSA), so it needs the message, not a digest.</summary>
    public static bool IsEdDsa(string oid) => oid is "1.3.101.112" or "1.3.101.113";

    /// <summary>
    /// Checks <paramref name="signature"/> over <paramref name="message"/> (the signed attributes' DER, or the content
    /// itself when there are none) with the certificate's key. Returns null when it verifies, else why not; throws
    /// <see cref="NotSupportedException"/> with a sentence for an algorithm that cannot be checked.
    /// </summary>
    public static string? Verify(X509Certificate2 certificate, CmsSignerInfo signer, ReadOnlySpan<byte> message)
    {
        if (!Signatures.TryGetValue(signer.SignatureAlgorithm, out var algorithm))
        {
            throw new NotSupportedException($"the signature algorithm {signer.SignatureAlgorithm} is not one DocEngine can check");
        }
        var digestOid = algorithm.DigestOid ?? signer.DigestAlgorithm;
        var hash = DigestHash(digestOid);
        bool valid;
        switch (signer.SignatureAlgorithm)
        {
            case "1.3.101.112" or "1.3.101.113":
                valid = VerifyEdDsa(certificate, signer.SignatureAlgorithm == "1.3.101.112", message, signer.Signature);
                break;
            case "1.2.840.113549.1.1.10":
                valid = VerifyPss(certificate, signer.SignatureParameters, message, signer.Signature);
                break;
            case var _ when hash is null:
                throw new NotSupportedException($"the digest {DigestName(digestOid)} is not one DocEngine can check");
            case var oid when oid.StartsWith("1.2.840.113549.1.1.", StringComparison.Ordinal):
                using (var rsa = certificate.GetRSAPublicKey() ?? throw new NotSupportedException("the signature says RSA but the signer's certificate holds another kind of key"))
                {
                    valid = rsa.VerifyData(message, signer.Signature, hash.Value, RSASignaturePadding.Pkcs1);
                }
                break;
            case var oid when oid.StartsWith("1.2.840.10045.", StringComparison.Ordinal):
                using (var ecdsa = certificate.GetECDsaPublicKey() ?? throw new NotSupportedException("the signature says ECDSA but the signer's certificate holds another kind of key"))
                {
                    valid = ecdsa.VerifyData(message, signer.Signature, hash.Value, DSASignatureFormat.Rfc3279DerSequence);
                }
                break;
            default:
                using (var dsa = certificate.GetDSAPublicKey() ?? throw new NotSupportedException("the signature says DSA but the signer's certificate holds another kind of key"))
                {
                    valid = dsa.VerifyData(message, signer.Signature, hash.Value, DSASignatureFormat.Rfc3279DerSequence);
                }
                break;
        }
        return valid ? null : "the signature value does not match the signer's public key";
    }

    private static bool VerifyEdDsa(X509Certificate2 certificate, bool ed25519, ReadOnlySpan<byte> message, byte[] signature)
    {
        var key = PublicKeyFactory.CreateKey(certificate.PublicKey.ExportSubjectPublicKeyInfo());
        ISigner signer = ed25519 ? new Ed25519Signer() : new Ed448Signer([]);
        signer.Init(false, key);
        signer.BlockUpdate(message);
        return signer.VerifySignature(signature);
    }

    private static bool VerifyPss(X509Certificate2 certificate, ReadOnlyMemory<byte>? parameters, ReadOnlySpan<byte> message, byte[] signature)
    {
        // RSASSA-PSS-params (RFC 4055 §3.1): every field defaults to SHA-1 / MGF1-SHA-1 / salt 20.
        var (hashOid, mgfHashOid, salt) = ("1.3.14.3.2.26", "1.3.14.3.2.26", 20);
        if (parameters is { } p && p.Span[0] == 0x30)
        {
            var sequence = new AsnReader(p, AsnEncodingRules.BER).ReadSequence();
            while (sequence.HasData)
            {
                var tag = sequence.PeekTag();
                var field = sequence.ReadSequence(tag);
                switch (tag.TagValue)
                {
                    case 0:
                        hashOid = CmsSignerInfo.ReadAlgorithm(field).Oid;
                        break;
                    case 1:
                        var mgf = field.ReadSequence();
                        mgf.ReadObjectIdentifier();
                        mgfHashOid = CmsSignerInfo.ReadAlgorithm(mgf).Oid;
                        break;
                    case 2:
                        salt = (int)field.ReadInteger();
                        break;
                }
            }
        }
        var hash = DigestHash(hashOid) ?? throw new NotSupportedException($"RSA-PSS with the digest {DigestName(hashOid)} is not one DocEngine can check");
        if (hashOid == mgfHashOid && salt == HashLength(hash))
        {
            using var rsa = certificate.GetRSAPublicKey() ?? throw new NotSupportedException("the signature says RSA-PSS but the signer's certificate holds another kind of key");
            return rsa.VerifyData(message, signature, hash, RSASignaturePadding.Pss);
        }
        var bcSigner = new PssSigner(new RsaBlindedEngine(), DigestUtilities.GetDigest(hashOid), DigestUtilities.GetDigest(mgfHashOid), salt);
        bcSigner.Init(false, PublicKeyFactory.CreateKey(certificate.PublicKey.ExportSubjectPublicKeyInfo()));
        bcSigner.BlockUpdate(message);
        return bcSigner.VerifySignature(signature);
    }

    public static int HashLength(HashAlgorithmName hash) => hash.Name switch
    {
        "MD5" => 16,
        "SHA1" => 20,
        "SHA256" or "SHA3-256" => 32,
        "SHA384" or "SHA3-384" => 48,
        _ => 64,
    };
}
