using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace DocEngine.Tests.Infrastructure.SignedPdfs;

/// <summary>The kind of key an issued test certificate carries.</summary>
public enum TestKeyKind
{
    /// <summary>RSA 2048.</summary>
    Rsa,

    /// <summary>ECDSA on P-256.</summary>
    EcdsaP256,

    /// <summary>Ed25519 (RFC 8410), made with BouncyCastle; the private key stays a BouncyCastle key.</summary>
    Ed25519,

    /// <summary>Ed448 (RFC 8410), made with BouncyCastle; the private key stays a BouncyCastle key.</summary>
    Ed448,
}

/// <summary>An in-memory test PKI: one root CA, signers it issued (RSA, ECDSA, EdDSA, expired), a TSA, and a self-signed stranger.</summary>
public sealed partial class TestPki
{
    private const string TimeStampingOid = "1.3.6.1.5.5.7.3.8";
    private static readonly Lazy<TestPki> LazyShared = new(() => new TestPki(), LazyThreadSafetyMode.ExecutionAndPublication);
    private readonly RSA _rootKey;
    private readonly Lazy<X509Certificate2> _expired;
    private readonly Lazy<X509Certificate2> _stranger;
    private long _serial = 0x1000;

    private TestPki()
    {
        var now = DateTimeOffset.UtcNow;
        RootName = new X500DistinguishedName("CN=DocEngine Test Root CA, O=DocEngine Tests, C=US");
        _rootKey = RSA.Create(2048);
        Root = CreateRoot(now.AddDays(-1), now.AddYears(10), NextSerial());
        RootPem = Root.ExportCertificatePem();
        RsaSigner = Issue("CN=Test Signer RSA, O=DocEngine Tests", TestKeyKind.Rsa);
        EcdsaSigner = Issue("CN=Test Signer ECDSA, O=DocEngine Tests", TestKeyKind.EcdsaP256);
        Tsa = IssueTsa("CN=Test TSA, O=DocEngine Tests");
        _expired = new(() => Issue("CN=Test Signer Expired, O=DocEngine Tests", TestKeyKind.Rsa, now.AddYears(-2), now.AddYears(-1)));
        _stranger = new(() => CreateStranger("CN=Test Stranger, O=Nobody"));
        _ed25519 = new(() => Issue("CN=Test Signer Ed25519, O=DocEngine Tests", TestKeyKind.Ed25519));
        _ed448 = new(() => Issue("CN=Test Signer Ed448, O=DocEngine Tests", TestKeyKind.Ed448));
        _responder = new(IssueResponder);
    }

    /// <summary>The one cached PKI (RSA key generation is slow).</summary>
    public static TestPki Shared => LazyShared.Value;

    /// <summary>The root's subject (and issuer) name.</summary>
    public X500DistinguishedName RootName { get; }

    /// <summary>The self-signed root CA, with its private key.</summary>
    public X509Certificate2 Root { get; }

    /// <summary>The root CA as PEM text (certificate only).</summary>
    public string RootPem { get; }

    /// <summary>An RSA 2048 signer issued by <see cref="Root"/>, with its private key.</summary>
    public X509Certificate2 RsaSigner { get; }

    /// <summary>An ECDSA P-256 signer issued by <see cref="Root"/>, with its private key.</summary>
    public X509Certificate2 EcdsaSigner { get; }

    /// <summary>An RSA signer issued by <see cref="Root"/> that expired a year ago.</summary>
    public X509Certificate2 ExpiredRsaSigner => _expired.Value;

    /// <summary>A time-stamping authority issued by <see cref="Root"/> (critical EKU id-kp-timeStamping only).</summary>
    public X509Certificate2 Tsa { get; }

    /// <summary>A self-signed RSA signer that chains to nothing.</summary>
    public X509Certificate2 Stranger => _stranger.Value;

    /// <summary>Issues an end-entity signer (DigitalSignature|NonRepudiation, SKI, AKI) from the root; validity defaults to now-1d..now+1y.</summary>
    public X509Certificate2 Issue(string subject, TestKeyKind kind, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null)
    {
        var now = DateTimeOffset.UtcNow;
        var (from, to) = (notBefore ?? now.AddDays(-1), notAfter ?? now.AddYears(1));
        return kind switch
        {
            TestKeyKind.Rsa => IssueWith(RSA.Create(2048), subject, from, to, tsa: false),
            TestKeyKind.EcdsaP256 => IssueWith(ECDsa.Create(ECCurve.NamedCurves.nistP256), subject, from, to, tsa: false),
            _ => IssueEdDsa(subject, kind, from, to),
        };
    }

    /// <summary>A second self-signed root with the same name and key pair as <see cref="Root"/> but a new serial and validity.</summary>
    public X509Certificate2 RootCopyWithSameKey(DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null)
    {
        var now = DateTimeOffset.UtcNow;
        return CreateRoot(notBefore ?? now.AddDays(-2), notAfter ?? now.AddYears(5), NextSerial());
    }

    private X509Certificate2 CreateRoot(DateTimeOffset notBefore, DateTimeOffset notAfter, byte[] serial)
    {
        var request = new CertificateRequest(RootName, _rootKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        var ski = new X509SubjectKeyIdentifierExtension(request.PublicKey, false);
        request.CertificateExtensions.Add(ski);
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromSubjectKeyIdentifier(ski));
        var generator = X509SignatureGenerator.CreateForRSA(_rootKey, RSASignaturePadding.Pkcs1);
        using var certificate = request.Create(RootName, generator, notBefore, notAfter, serial);
        return certificate.CopyWithPrivateKey(_rootKey);
    }

    private X509Certificate2 IssueTsa(string subject)
    {
        var now = DateTimeOffset.UtcNow;
        return IssueWith(RSA.Create(2048), subject, now.AddDays(-1), now.AddYears(1), tsa: true);
    }

    private X509Certificate2 IssueWith(AsymmetricAlgorithm key, string subject, DateTimeOffset notBefore, DateTimeOffset notAfter, bool tsa)
    {
        var name = new X500DistinguishedName(subject);
        var request = key is RSA rsa
            ? new CertificateRequest(name, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            : new CertificateRequest(name, (ECDsa)key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            tsa ? X509KeyUsageFlags.DigitalSignature : X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.NonRepudiation, true));
        if (tsa)
        {
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(TimeStampingOid)], true));
        }
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Root, true, false));
        var generator = X509SignatureGenerator.CreateForRSA(_rootKey, RSASignaturePadding.Pkcs1);
        using var certificate = request.Create(RootName, generator, notBefore, notAfter, NextSerial());
        return key is RSA signerRsa ? certificate.CopyWithPrivateKey(signerRsa) : certificate.CopyWithPrivateKey((ECDsa)key);
    }

    private static X509Certificate2 CreateStranger(string subject)
    {
        var key = RSA.Create(2048);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.NonRepudiation, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddDays(-1), now.AddYears(1));
    }

    private byte[] NextSerial()
    {
        var value = Interlocked.Increment(ref _serial);
        var serial = new byte[9];
        serial[0] = 0x01;
        BitConverter.TryWriteBytes(serial.AsSpan(1), value);
        return serial;
    }
}
