using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Operators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;
using Org.BouncyCastle.X509.Extension;
using BcBigInteger = Org.BouncyCastle.Math.BigInteger;

namespace DocEngine.Tests.Infrastructure.SignedPdfs;

/// <summary>The EdDSA part of the test PKI: .NET cannot make Ed25519/Ed448 keys, so BouncyCastle issues them from the same RSA root.</summary>
public sealed partial class TestPki
{
    /// <summary>id-Ed25519 (RFC 8410).</summary>
    public const string Ed25519Oid = "1.3.101.112";

    /// <summary>id-Ed448 (RFC 8410).</summary>
    public const string Ed448Oid = "1.3.101.113";

    private readonly Lazy<X509Certificate2> _ed25519;
    private readonly Lazy<X509Certificate2> _ed448;
    private readonly ConcurrentDictionary<string, AsymmetricKeyParameter> _edDsaKeys = new(StringComparer.Ordinal);
    private AsymmetricKeyParameter? _rootBcKey;

    /// <summary>An Ed25519 signer issued by <see cref="Root"/> (no .NET private key: see <see cref="Ed25519PrivateKey"/>).</summary>
    public X509Certificate2 Ed25519Signer => _ed25519.Value;

    /// <summary>An Ed448 signer issued by <see cref="Root"/> (no .NET private key: see <see cref="Ed448PrivateKey"/>).</summary>
    public X509Certificate2 Ed448Signer => _ed448.Value;

    /// <summary>The BouncyCastle private key of <see cref="Ed25519Signer"/>.</summary>
    public AsymmetricKeyParameter Ed25519PrivateKey => EdDsaPrivateKey(Ed25519Signer);

    /// <summary>The BouncyCastle private key of <see cref="Ed448Signer"/>.</summary>
    public AsymmetricKeyParameter Ed448PrivateKey => EdDsaPrivateKey(Ed448Signer);

    /// <summary>Whether <paramref name="certificate"/> carries an Ed25519 or Ed448 public key.</summary>
    public static bool IsEdDsa(X509Certificate2 certificate) => certificate.PublicKey.Oid.Value is Ed25519Oid or Ed448Oid;

    /// <summary>The BouncyCastle private key of an EdDSA certificate this PKI issued.</summary>
    public AsymmetricKeyParameter EdDsaPrivateKey(X509Certificate2 certificate) =>
        _edDsaKeys.TryGetValue(certificate.Thumbprint, out var key)
            ? key
            : throw new ArgumentException($"{certificate.Subject} is not an EdDSA signer issued by this test PKI.", nameof(certificate));

    private X509Certificate2 IssueEdDsa(string subject, TestKeyKind kind, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        IAsymmetricCipherKeyPairGenerator keys = kind switch
        {
            TestKeyKind.Ed25519 => new Ed25519KeyPairGenerator(),
            TestKeyKind.Ed448 => new Ed448KeyPairGenerator(),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not an EdDSA key kind."),
        };
        keys.Init(kind == TestKeyKind.Ed25519
            ? new Ed25519KeyGenerationParameters(new SecureRandom())
            : new Ed448KeyGenerationParameters(new SecureRandom()));
        var pair = keys.GenerateKeyPair();
        var rootSki = Root.Extensions.OfType<X509SubjectKeyIdentifierExtension>().Single().SubjectKeyIdentifierBytes.ToArray();

        var generator = new X509V3CertificateGenerator();
        generator.SetSerialNumber(new BcBigInteger(1, NextSerial()));
        // Names from their DER, so issuer and subject encode exactly as the .NET-made certificates do.
        generator.SetIssuerDN(X509Name.GetInstance(RootName.RawData));
        generator.SetSubjectDN(X509Name.GetInstance(new X500DistinguishedName(subject).RawData));
        generator.SetNotBefore(notBefore.UtcDateTime);
        generator.SetNotAfter(notAfter.UtcDateTime);
        generator.SetPublicKey(pair.Public);
        generator.AddExtension(X509Extensions.BasicConstraints, true, new BasicConstraints(false));
        generator.AddExtension(X509Extensions.KeyUsage, true, new KeyUsage(KeyUsage.DigitalSignature | KeyUsage.NonRepudiation));
        generator.AddExtension(X509Extensions.SubjectKeyIdentifier, false, X509ExtensionUtilities.CreateSubjectKeyIdentifier(pair.Public));
        generator.AddExtension(X509Extensions.AuthorityKeyIdentifier, false, new AuthorityKeyIdentifier(rootSki));
        var certificate = X509CertificateLoader.LoadCertificate(generator.Generate(new Asn1SignatureFactory("SHA256WITHRSA", RootBcKey)).GetEncoded());
        _edDsaKeys[certificate.Thumbprint] = pair.Private;
        return certificate;
    }
}
