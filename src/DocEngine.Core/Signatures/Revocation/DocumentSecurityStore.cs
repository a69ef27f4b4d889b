using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using DocEngine.Core.Signatures.Syntax;

namespace DocEngine.Core.Signatures.Revocation;

/// <summary>
/// The document security store (ETSI EN 319 142-1 §5.4.2): certificates, OCSP responses and CRLs kept for all
/// signatures, and per signature (/VRI, keyed by the uppercase hex SHA-1 of its /Contents). Read from the last revision.
/// </summary>
internal sealed class DocumentSecurityStore
{
    private const int MaxItems = 10_000;
    private readonly Dictionary<string, RevocationMaterial> _vri = new(StringComparer.Ordinal);

    private DocumentSecurityStore()
    {
    }

    /// <summary>Everything the DSS holds for any signature.</summary>
    public RevocationMaterial All { get; } = new();

    /// <summary>The DSS of <paramref name="structure"/>'s revision, or null when it has none.</summary>
    public static DocumentSecurityStore? Read(PdfFile file, DocumentStructure structure)
    {
        if (structure.Resolve(structure.Catalog["DSS"]) is not PdfDictionary dss)
        {
            return null;
        }
        var store = new DocumentSecurityStore();
        Fill(file, structure, store.All, dss, "Certs", "OCSPs", "CRLs");
        if (structure.Resolve(dss["VRI"]) is PdfDictionary vri)
        {
            foreach (var (key, value) in vri.Entries.Take(MaxItems))
            {
                if (structure.Resolve(value) is PdfDictionary entry)
                {
                    var material = new RevocationMaterial();
                    Fill(file, structure, material, entry, "Cert", "OCSP", "CRL");
                    store._vri[key.ToUpperInvariant()] = material;
                }
            }
        }
        return store;
    }

    /// <summary>The VRI entry of the signature whose /Contents holds <paramref name="contents"/> (with or without its zero padding).</summary>
    public RevocationMaterial? ForSignature(byte[] contents, int encodedLength)
    {
        foreach (var bytes in new[] { contents, contents[..Math.Clamp(encodedLength, 0, contents.Length)] })
        {
            if (_vri.TryGetValue(Convert.ToHexString(SHA1.HashData(bytes)), out var material))
            {
                return material;
            }
        }
        return null;
    }

    private static void Fill(PdfFile file, DocumentStructure structure, RevocationMaterial material, PdfDictionary dictionary, string certs, string ocsps, string crls)
    {
        foreach (var data in Streams(file, structure, dictionary[certs]))
        {
            try
            {
                material.Certificates.Add(X509CertificateLoader.LoadCertificate(data));
            }
            catch (CryptographicException)
            {
                // Not a certificate: nothing to add.
            }
        }
        material.OcspResponses.AddRange(Streams(file, structure, dictionary[ocsps]));
        material.Crls.AddRange(Streams(file, structure, dictionary[crls]));
    }

    private static IEnumerable<byte[]> Streams(PdfFile file, DocumentStructure structure, PdfObject? array) =>
        (structure.Resolve(array) as PdfArray)?.Items.Take(MaxItems).Select(i => file.StreamBytes(i, structure.Revision)).OfType<byte[]>() ?? [];
}
