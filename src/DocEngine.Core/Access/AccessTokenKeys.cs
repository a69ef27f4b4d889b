using System.Security.Cryptography;
using DocEngine.Core.Storage;
using Microsoft.IdentityModel.Tokens;

namespace DocEngine.Core.Access;

/// <summary>
/// The P-256 keys applicant tokens are signed (ES256) and checked with. They come from <c>DocEngine:Access:KeyFiles</c>,
/// or else from the metadata store, where the first node to start stores one it generated and every other node reads
/// it: no node ever signs with a key of its own, so a token minted on one node is good on all of them.
/// </summary>
public sealed class AccessTokenKeys
{
    /// <summary>The purpose the keys are filed under in <see cref="ISigningKeyStore"/>.</summary>
    public const string Purpose = "access-tokens";

    private AccessTokenKeys(IReadOnlyList<ECDsaSecurityKey> keys, ECDsaSecurityKey active)
    {
        All = keys;
        Active = active;
    }

    /// <summary>Every key tokens may be signed with (checking).</summary>
    public IReadOnlyList<ECDsaSecurityKey> All { get; }

    /// <summary>The key that signs new tokens.</summary>
    public ECDsaSecurityKey Active { get; }

    /// <summary>Loads the configured key files, or the stored keys (storing a generated one first when there is none).</summary>
    public static async Task<AccessTokenKeys> LoadAsync(AccessOptions options, ISigningKeyStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        List<ECDsaSecurityKey> keys;
        if (options.KeyFiles.Count > 0)
        {
            keys = options.KeyFiles.Select(path => Read(File.ReadAllText(path), path)).ToList();
        }
        else
        {
            var stored = await store.ListSigningKeysAsync(Purpose, cancellationToken).ConfigureAwait(false);
            if (stored.Count == 0)
            {
                using var generated = ECDsa.Create(ECCurve.NamedCurves.nistP256);
                await store.AddFirstSigningKeyAsync(Purpose, generated.ExportPkcs8PrivateKeyPem(), time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
                stored = await store.ListSigningKeysAsync(Purpose, cancellationToken).ConfigureAwait(false); // another node's, if it came first
            }
            keys = stored.Select(pem => Read(pem, "the stored access-token key")).ToList();
        }
        var active = options.ActiveKeyId is { Length: > 0 } id
            ? keys.FirstOrDefault(k => k.KeyId == id) ?? throw new InvalidOperationException($"DocEngine:Access:ActiveKeyId {id} is not among the configured keys.")
            : keys.LastOrDefault(CanSign)
              ?? throw new InvalidOperationException("No access-token key has a private key: configure DocEngine:Access:KeyFiles with a P-256 private key PEM.");
        return new AccessTokenKeys(keys, active);
    }

    private static bool CanSign(ECDsaSecurityKey key)
    {
        try
        {
            key.ECDsa.ExportParameters(includePrivateParameters: true);
            return true;
        }
        catch (CryptographicException)
        {
            return false; // a public-only key: it checks tokens of a retired key, it signs nothing
        }
    }

    private static ECDsaSecurityKey Read(string pem, string source)
    {
        var ecdsa = ECDsa.Create();
        try
        {
            ecdsa.ImportFromPem(pem);
        }
        catch (ArgumentException e)
        {
            throw new InvalidOperationException($"The access-token key {source} is not a PEM EC key: {e.Message}", e);
        }
        var parameters = ecdsa.ExportParameters(false);
        if (parameters.Q.X!.Length != 32)
        {
            throw new InvalidOperationException($"The access-token key {source} is not a P-256 key (ES256 needs one).");
        }
        var key = new ECDsaSecurityKey(ecdsa);
        key.KeyId = Base64UrlEncoder.Encode(key.ComputeJwkThumbprint()); // RFC 7638, as receipt keys are named
        return key;
    }
}
