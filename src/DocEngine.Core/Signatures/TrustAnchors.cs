using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace DocEngine.Core.Signatures;

/// <summary>
/// The certificates a signer must chain to. An anchor is a name plus a public key (RFC 5280 §6.1.1): a chain reaching a
/// certificate with the anchor's subject and key is anchored even if that copy's serial number or validity differ.
/// With no anchors configured, nothing is trusted.
/// </summary>
public sealed class TrustAnchors
{
    public static readonly TrustAnchors None = new([]);

    public TrustAnchors(IEnumerable<X509Certificate2> anchors) => Certificates = anchors.DistinctBy(a => a.Thumbprint).ToList();

    public IReadOnlyList<X509Certificate2> Certificates { get; }

    /// <summary>Reads PEM (or DER) certificates from files, and from every *.pem, *.crt, *.cer file in folders.</summary>
    public static TrustAnchors Load(IEnumerable<string> paths)
    {
        var certificates = new List<X509Certificate2>();
        foreach (var path in paths)
        {
            IEnumerable<string> files = Directory.Exists(path)
                ? Directory.EnumerateFiles(path).Where(f => Path.GetExtension(f).ToLowerInvariant() is ".pem" or ".crt" or ".cer").Order().ToList()
                : File.Exists(path) ? [path] : throw new DocEngineException(ErrorKind.InvalidArgument, "TRUST_ANCHOR_NOT_FOUND",
                    $"The trust anchor path {path} does not exist: give a PEM file or a folder of them.");
            foreach (var file in files)
            {
                certificates.AddRange(Parse(File.ReadAllBytes(file), Path.GetFileName(file)));
            }
        }
        return new TrustAnchors(certificates);
    }

    /// <summary>Certificates from PEM text (one or more CERTIFICATE blocks) or a single DER certificate.</summary>
    public static IEnumerable<X509Certificate2> Parse(byte[] content, string label)
    {
        try
        {
            var text = System.Text.Encoding.ASCII.GetString(content);
            if (text.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal))
            {
                var collection = new X509Certificate2Collection();
                collection.ImportFromPem(text);
                return collection.Count > 0 ? collection.Cast<X509Certificate2>().ToList() : throw new CryptographicException("no readable certificate");
            }
            return [X509CertificateLoader.LoadCertificate(content)];
        }
        catch (CryptographicException)
        {
            throw new DocEngineException(ErrorKind.InvalidArgument, "TRUST_ANCHOR_UNREADABLE",
                $"The trust anchor {label} is not a PEM or DER certificate: export the authority's certificate as PEM and try again.");
        }
    }

    /// <summary>These anchors and <paramref name="more"/>.</summary>
    public TrustAnchors With(IEnumerable<X509Certificate2> more) => new(Certificates.Concat(more));

    /// <summary>The anchor with the same subject and public key as <paramref name="certificate"/>, if any.</summary>
    public X509Certificate2? Matching(X509Certificate2 certificate) => Certificates.FirstOrDefault(a =>
        a.SubjectName.RawData.AsSpan().SequenceEqual(certificate.SubjectName.RawData)
        && a.PublicKey.EncodedKeyValue.RawData.AsSpan().SequenceEqual(certificate.PublicKey.EncodedKeyValue.RawData));
}
