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
    public static bool IsEdDsa(string oid) => oid is Ed25519 or Ed448;

    private const string Ed25519 = "1.3.101.112";
    private const string Ed448 = "1.3.101.113";
    private const string RsaPss = "1.2.840.113549.1.1.10";
    private const string Sha512 = "2.16.840.1.101.3.4.2.3";
    private const string Shake256 = "2.16.840.1.101.3.4.2.12";
    private const string Shake256Len = "2.16.840.1.101.3.4.2.18";

    /// <summary>
    /// Whether the SignerInfo's digest is one its signature algorithm may be used with: Ed25519 only with SHA-512, Ed448
    /// only with SHAKE256 of 512 bits, neither with parameters (RFC 8419 §2–3); a signature algorithm that names a hash
    /// (sha256WithRSAEncryption, ecdsa-with-SHA384, …) and RSA-PSS parameters must name the digest the SignerInfo uses
    /// (RFC 5754 §3, RFC 4056 §3). Null when they match, else why not.
    /// </summary>
    public static string? PairingProblem(CmsSignerInfo signer)
    {
        var digest = signer.DigestAlgorithm;
        var name = DigestName(digest);
        switch (signer.SignatureAlgorithm)
        {
            case Ed25519 or Ed448 when signer.SignatureParameters is { Length: > 0 } parameters && !parameters.Span.SequenceEqual((byte[])[0x05, 0x00]):
                return "an EdDSA signature algorithm must carry no parameters (RFC 8419 §2)";
            case Ed25519 when digest != Sha512:
                return $"an Ed25519 signature must use the SHA-512 digest (RFC 8419 §3.1), and this one uses {name}";
            case Ed448 when digest != Shake256Len || !IsInteger(signer.DigestParameters, 512):
                return digest == Shake256Len
                    ? "an Ed448 signature must use SHAKE256 with a 512-bit output (RFC 8419 §3.1), and this one gives another output length"
                    : $"an Ed448 signature must use the SHAKE256 digest with a 512-bit output (RFC 8419 §3.1), and this one uses {name}";
            case Ed25519 or Ed448:
                return null;
            case RsaPss:
                var (hash, _, _) = PssParameters(signer.SignatureParameters);
                return hash == digest ? null : $"the RSA-PSS parameters name {DigestName(hash)}, but the signature's digest is {name} (RFC 4056 §3)";
        }
        if (digest is Shake256 or Shake256Len)
        {
            return "a SHAKE256 digest belongs to Ed448 signatures only (RFC 8419)";
        }
        if (Signatures.TryGetValue(signer.SignatureAlgorithm, out var algorithm) && algorithm.DigestOid is { } expected && expected != digest)
        {
            return $"the signature algorithm is {algorithm.Name}, but the digest of the signed data is {name}: they must be the same hash (RFC 5754 §3)";
        }
        return null;
    }

    private static bool IsInteger(ReadOnlyMemory<byte>? encoded, int value)
    {
        try
        {
            return encoded is { } e && new AsnReader(e, AsnEncodingRules.DER).ReadInteger() == value;
        }
        catch (AsnContentException)
        {
            return false;
        }
    }

    /// <summary>
    /// Checks <paramref name="signature"/> over <paramref name="message"/> (the signed attributes' DER, or the content
    /// itself when there are none) with the certificate's key. Returns null when it verifies, else why not; throws
    /// <see cref="NotSupportedException"/> with a sentence for an algorithm that cannot be checked.
    /// </summary>
    public static string? Verify(X509Certificate2 certificate, CmsSignerInfo signer, ReadOnlySpan<byte> message) =>
        Verify(certificate, signer.SignatureAlgorithm, signer.SignatureParameters, signer.DigestAlgorithm, signer.Signature, message)
            ? null : "the signature value does not match the signer's public key";

    /// <summary>
    /// Whether a signed X.509 structure — a certificate, a CRL or a BasicOCSPResponse, each SEQUENCE { tbs,
    /// signatureAlgorithm, signature BIT STRING } (RFC 5280 §4.1, §5.1; RFC 6960 §4.2.1) — was signed with
    /// <paramref name="signer"/>'s key. Checked with .NET (BouncyCastle re-validates large RSA moduli on every key and is
    /// ~100× slower here); false for anything unreadable or unsupported.
    /// </summary>
    public static bool VerifiesStructure(ReadOnlyMemory<byte> encoded, X509Certificate2 signer)
    {
        try
        {
            var outer = new AsnReader(encoded, AsnEncodingRules.BER).ReadSequence();
            var tbs = outer.ReadEncodedValue();
            var (oid, parameters) = CmsSignerInfo.ReadAlgorithm(outer);
            var signature = outer.ReadBitString(out _);
            return Verify(signer, oid, parameters, null, signature, tbs.Span);
        }
        catch (Exception e) when (e is AsnContentException or CryptographicException or NotSupportedException or ArgumentException)
        {
            return false;
        }
    }

    private static bool Verify(X509Certificate2 certificate, string signatureOid, ReadOnlyMemory<byte>? parameters, string? digestAlgorithm, byte[] signature, ReadOnlySpan<byte> message)
    {
        if (!Signatures.TryGetValue(signatureOid, out var algorithm))
        {
            throw new NotSupportedException($"the signature algorithm {signatureOid} is not one DocEngine can check");
        }
        var digestOid = algorithm.DigestOid ?? digestAlgorithm ?? "";
        var hash = DigestHash(digestOid);
        bool valid;
        switch (signatureOid)
        {
            case Ed25519 or Ed448:
                valid = VerifyEdDsa(certificate, signatureOid == Ed25519, message, signature);
                break;
            case RsaPss:
                valid = VerifyPss(certificate, parameters, message, signature);
                break;
            case var _ when hash is null:
                throw new NotSupportedException($"the digest {DigestName(digestOid)} is not one DocEngine can check");
            case var oid when oid.StartsWith("1.2.840.113549.1.1.", StringComparison.Ordinal):
                using (var rsa = certificate.GetRSAPublicKey() ?? throw new NotSupportedException("the signature says RSA but the signer's certificate holds another kind of key"))
                {
                    valid = rsa.VerifyData(message, signature, hash.Value, RSASignaturePadding.Pkcs1);
                }
                break;
            case var oid when oid.StartsWith("1.2.840.10045.", StringComparison.Ordinal):
                using (var ecdsa = certificate.GetECDsaPublicKey() ?? throw new NotSupportedException("the signature says ECDSA but the signer's certificate holds another kind of key"))
                {
                    valid = ecdsa.VerifyData(message, signature, hash.Value, DSASignatureFormat.Rfc3279DerSequence);
                }
                break;
            default:
                using (var dsa = certificate.GetDSAPublicKey() ?? throw new NotSupportedException("the signature says DSA but the signer's certificate holds another kind of key"))
                {
                    valid = dsa.VerifyData(message, signature, hash.Value, DSASignatureFormat.Rfc3279DerSequence);
                }
                break;
        }
        return valid;
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
        var (hashOid, mgfHashOid, salt) = PssParameters(parameters);
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

    /// <summary>RSASSA-PSS-params (RFC 4055 §3.1): every field defaults to SHA-1 / MGF1-SHA-1 / salt 20.</summary>
    private static (string Hash, string MgfHash, int Salt) PssParameters(ReadOnlyMemory<byte>? parameters)
    {
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
        return (hashOid, mgfHashOid, salt);
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
