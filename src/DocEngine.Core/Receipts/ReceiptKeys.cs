using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using DocEngine.Core.Storage;

namespace DocEngine.Core.Receipts;

/// <summary>
/// The keys receipts are signed with: P-256 keys from PEM files (configuration), or — when none are configured — a key
/// generated once and kept by the storage provider (<see cref="IReceiptKeyStore"/>: <c>receipt-keys/</c> under the data
/// directory, or the shared database, so every node of a cluster signs with the same key). Every key stays published so old receipts
/// keep verifying; the active one signs new receipts. Key ids are RFC 7638 JWK thumbprints.
/// </summary>
public sealed class ReceiptKeys
{
    private ReceiptKeys(IReadOnlyList<ReceiptKey> keys, ReceiptKey active)
    {
        All = keys;
        Active = active;
    }

    public IReadOnlyList<ReceiptKey> All { get; }

    public ReceiptKey Active { get; }

    /// <summary>
    /// Loads the configured key files, or — when none are configured — the keys kept by <paramref name="store"/>, generating and
    /// storing the first one when there is none (several nodes starting at once all end up with the one stored first).
    /// </summary>
    public static async Task<ReceiptKeys> LoadAsync(ReceiptOptions options, IReceiptKeyStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        List<ReceiptKey> keys;
        if (options.KeyFiles.Count > 0)
        {
            keys = options.KeyFiles.Select(path => Read(File.ReadAllText(path), path)).ToList();
        }
        else
        {
            var stored = await store.ListReceiptKeysAsync(cancellationToken).ConfigureAwait(false);
            if (stored.Count == 0)
            {
                using var generated = ECDsa.Create(ECCurve.NamedCurves.nistP256);
                var pem = generated.ExportPkcs8PrivateKeyPem();
                await store.AddFirstReceiptKeyAsync(Read(pem, "a generated key").Id, pem, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
                stored = await store.ListReceiptKeysAsync(cancellationToken).ConfigureAwait(false);
            }
            keys = stored.Select(pem => Read(pem, "a stored receipt key")).ToList();
        }
        var active = options.ActiveKeyId is { Length: > 0 } id
            ? keys.FirstOrDefault(k => k.Id == id) ?? throw new InvalidOperationException($"DocEngine:Receipts:ActiveKeyId {id} is not among the configured keys.")
            : keys.LastOrDefault(k => k.CanSign) ?? throw new InvalidOperationException("No receipt key has a private key: configure DocEngine:Receipts:KeyFiles with a P-256 private key PEM.");
        return new ReceiptKeys(keys, active);
    }

    /// <summary>The key with this id, or null.</summary>
    public ReceiptKey? Find(string keyId) => All.FirstOrDefault(k => k.Id == keyId);

    /// <summary>All public keys as a JWK Set (RFC 7517 §5).</summary>
    public string JwkSet() => "{\"keys\":[" + string.Join(",", All.Select(k => k.Jwk)) + "]}";

    private static ReceiptKey Read(string pem, string source)
    {
        var key = ECDsa.Create();
        key.ImportFromPem(pem);
        var parameters = key.ExportParameters(false);
        if (parameters.Curve.Oid.FriendlyName is not ("nistP256" or "ECDSA_P256") && parameters.Q.X!.Length != 32)
        {
            throw new InvalidOperationException($"The receipt key {source} is not a P-256 key (ES256 needs one).");
        }
        var canSign = true;
        try
        {
            key.ExportParameters(true);
        }
        catch (CryptographicException)
        {
            canSign = false;
        }
        return new ReceiptKey(key, parameters.Q.X!, parameters.Q.Y!, canSign);
    }
}

/// <summary>One receipt key: the ECDSA key, its JWK and its id.</summary>
public sealed class ReceiptKey
{
    internal ReceiptKey(ECDsa key, byte[] x, byte[] y, bool canSign)
    {
        Key = key;
        CanSign = canSign;
        Id = Thumbprint(x, y);
        Jwk = JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["kty"] = "EC", ["crv"] = "P-256", ["x"] = Jws.Base64Url(x), ["y"] = Jws.Base64Url(y), ["kid"] = Id, ["alg"] = "ES256", ["use"] = "sig",
        });
        PublicKeyPem = key.ExportSubjectPublicKeyInfoPem();
    }

    /// <summary>The RFC 7638 JWK thumbprint of a P-256 public key: the id DocEngine gives receipt keys.</summary>
    public static string Thumbprint(byte[] x, byte[] y)
    {
        // The SHA-256 of the required members in lexicographic order, without whitespace.
        var canonical = $"{{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"{Jws.Base64Url(x)}\",\"y\":\"{Jws.Base64Url(y)}\"}}";
        return Jws.Base64Url(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }

    public ECDsa Key { get; }

    public string Id { get; }

    public string Jwk { get; }

    public string PublicKeyPem { get; }

    public bool CanSign { get; }
}

/// <summary>Receipt signing configuration (section DocEngine:Receipts).</summary>
public sealed class ReceiptOptions
{
    /// <summary>PEM files of P-256 keys (private for signing, public-only for retired keys); none: keys generated under the data directory.</summary>
    public List<string> KeyFiles { get; set; } = [];

    /// <summary>The key id that signs new receipts; default the last key with a private key.</summary>
    public string? ActiveKeyId { get; set; }

    /// <summary>The issuer named in every receipt ("iss").</summary>
    public string Issuer { get; set; } = "docengine";
}
