using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Security;

namespace DocEngine.Tests.Infrastructure.SignedPdfs;

/// <summary>The revocation part of the test PKI: a delegated OCSP responder, and signers that name where to fetch revocation data.</summary>
public sealed partial class TestPki
{
    private readonly Lazy<X509Certificate2> _responder;

    /// <summary>The root's private key as BouncyCastle wants it (OCSP and CRL generators).</summary>
    public AsymmetricKeyParameter RootBcKey => _rootBcKey ??= DotNetUtilities.GetRsaKeyPair(_rootKey).Private;

    /// <summary>An OCSP responder the root delegated to (EKU id-kp-OCSPSigning), with its private key.</summary>
    public X509Certificate2 OcspResponder => _responder.Value;

    /// <summary>An RSA signer whose certificate names <paramref name="ocspUrl"/> (AIA) and <paramref name="crlUrl"/> (CRL distribution point).</summary>
    public X509Certificate2 IssueWithRevocationUrls(string subject, string? ocspUrl, string? crlUrl)
    {
        var key = RSA.Create(2048);
        var request = new CertificateRequest(new X500DistinguishedName(subject), key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.NonRepudiation, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Root, true, false));
        if (ocspUrl is not null)
        {
            request.CertificateExtensions.Add(new X509AuthorityInformationAccessExtension([ocspUrl], null));
        }
        if (crlUrl is not null)
        {
            request.CertificateExtensions.Add(CertificateRevocationListBuilder.BuildCrlDistributionPointExtension([crlUrl]));
        }
        var now = DateTimeOffset.UtcNow;
        using var certificate = request.Create(RootName, X509SignatureGenerator.CreateForRSA(_rootKey, RSASignaturePadding.Pkcs1), now.AddDays(-10), now.AddYears(1), NextSerial());
        return certificate.CopyWithPrivateKey(key);
    }

    private X509Certificate2 IssueResponder()
    {
        var key = RSA.Create(2048);
        var request = new CertificateRequest(new X500DistinguishedName("CN=Test OCSP Responder, O=DocEngine Tests"), key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.9")], true));
        var now = DateTimeOffset.UtcNow;
        using var certificate = request.Create(RootName, X509SignatureGenerator.CreateForRSA(_rootKey, RSASignaturePadding.Pkcs1), now.AddDays(-30), now.AddYears(1), NextSerial());
        return certificate.CopyWithPrivateKey(key);
    }
}
