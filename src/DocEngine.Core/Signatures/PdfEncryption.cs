using System.Security.Cryptography;
using System.Text;
using DocEngine.Core.Signatures.Syntax;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Parameters;

namespace DocEngine.Core.Signatures;

/// <summary>
/// The standard security handler (ISO 32000-2 §7.6.4), so encrypted signed PDFs can be checked with their password:
/// RC4 and AES-128 (revisions 2–4) and AES-256 (revisions 5–6). Signatures cover the encrypted bytes, so nothing is
/// decrypted for the cryptographic check; strings and object streams are decrypted only to read names and structure.
/// A signature dictionary's /Contents is never encrypted (§7.6.2).
/// </summary>
internal sealed class PdfEncryption
{
    private static readonly byte[] Padding = Convert.FromHexString("28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A");

    private readonly byte[] _key;
    private readonly string _method;
    private readonly int? _encryptNumber;

    private PdfEncryption(byte[] key, string method, int? encryptNumber)
    {
        _key = key;
        _method = method;
        _encryptNumber = encryptNumber;
    }

    /// <summary>Sets up decryption when the file is encrypted; refuses with a sentence when the password is missing or wrong.</summary>
    public static void Unlock(PdfFile file, string? password)
    {
        var trailer = file.Revisions[^1].Trailer;
        if (trailer["Encrypt"] is null)
        {
            return;
        }
        var encryptNumber = (trailer["Encrypt"] as PdfReference)?.Number;
        if (file.Resolve(trailer["Encrypt"], file.Last) is not PdfDictionary dictionary)
        {
            throw new PdfSyntaxException("its encryption settings (/Encrypt) are not a dictionary");
        }
        if (dictionary.Name("Filter") != "Standard")
        {
            throw new PdfSyntaxException($"it is encrypted with the /{dictionary.Name("Filter") ?? "?"} security handler, not the standard password one");
        }
        var id = (trailer["ID"] as PdfArray)?.Items.FirstOrDefault() as PdfString;
        var method = Method(dictionary);
        var key = Authenticate(dictionary, id?.Bytes ?? [], password ?? "");
        if (key is null)
        {
            throw password is null ? PdfRefusals.PasswordRequired() : PdfRefusals.WrongPassword();
        }
        file.Encryption = new PdfEncryption(key, method, encryptNumber);
    }

    /// <summary>Decrypts the strings of an indirect object read from the file, except a signature's /Contents.</summary>
    public void DecryptStrings(PdfObject value, int number, int generation)
    {
        if (number == _encryptNumber || _method == "None")
        {
            return;
        }
        var key = ObjectKey(number, generation);
        Walk(value, key, 0);
    }

    /// <summary>Decrypts a stream's raw data (object streams, before they are inflated).</summary>
    public byte[] DecryptStream(ReadOnlySpan<byte> data, int number, int generation) =>
        _method == "None" ? data.ToArray() : Decrypt(ObjectKey(number, generation), data);

    private void Walk(PdfObject value, byte[] key, int depth)
    {
        if (depth > PdfParser.MaxDepth)
        {
            return;
        }
        switch (value)
        {
            case PdfString s:
                s.Bytes = Decrypt(key, s.Bytes);
                break;
            case PdfArray a:
                a.Items.ForEach(i => Walk(i, key, depth + 1));
                break;
            case PdfDictionary d:
                var isSignature = d.Name("Type") is "Sig" or "DocTimeStamp" || d["ByteRange"] is not null;
                foreach (var (k, v) in d.Entries)
                {
                    if (!(isSignature && k == "Contents"))
                    {
                        Walk(v, key, depth + 1);
                    }
                }
                break;
        }
    }

    private byte[] ObjectKey(int number, int generation)
    {
        if (_method == "AESV3")
        {
            return _key;
        }
        // Algorithm 1 (§7.6.3.2): MD5(file key, low 3 bytes of the number, low 2 of the generation[, "sAlT"]).
        byte[] input = [.. _key, (byte)number, (byte)(number >> 8), (byte)(number >> 16), (byte)generation, (byte)(generation >> 8),
            .. _method == "AESV2" ? "sAlT"u8.ToArray() : []];
        return MD5.HashData(input)[..Math.Min(_key.Length + 5, 16)];
    }

    private byte[] Decrypt(byte[] key, ReadOnlySpan<byte> data)
    {
        if (_method is "AESV2" or "AESV3")
        {
            if (data.Length < 32 || data.Length % 16 != 0)
            {
                return data.ToArray(); // too short to be AES-CBC with an IV: left as written
            }
            using var aes = Aes.Create();
            aes.Key = key;
            try
            {
                return aes.DecryptCbc(data[16..], data[..16], PaddingMode.PKCS7);
            }
            catch (CryptographicException)
            {
                return aes.DecryptCbc(data[16..], data[..16], PaddingMode.None);
            }
        }
        return Rc4(key, data);
    }

    private static byte[] Rc4(byte[] key, ReadOnlySpan<byte> data)
    {
        var rc4 = new RC4Engine();
        rc4.Init(false, new KeyParameter(key));
        var output = new byte[data.Length];
        rc4.ProcessBytes(data.ToArray(), 0, data.Length, output, 0);
        return output;
    }

    private static string Method(PdfDictionary dictionary)
    {
        var version = (dictionary["V"] as PdfNumber)?.AsLong ?? 0;
        if (version < 4)
        {
            return "V2";
        }
        var filterName = dictionary.Name("StrF") ?? "Identity";
        if (filterName == "Identity")
        {
            return "None";
        }
        var filter = (dictionary["CF"] as PdfDictionary)?[filterName] as PdfDictionary;
        return filter?.Name("CFM") switch
        {
            "AESV2" => "AESV2",
            "AESV3" => "AESV3",
            "None" => "None",
            _ => "V2",
        };
    }

    private static byte[]? Authenticate(PdfDictionary dictionary, byte[] id, string password)
    {
        var revision = (int)((dictionary["R"] as PdfNumber)?.AsLong ?? 0);
        var owner = (dictionary["O"] as PdfString)?.Bytes ?? [];
        var user = (dictionary["U"] as PdfString)?.Bytes ?? [];
        if (revision >= 5)
        {
            var utf8 = Encoding.UTF8.GetBytes(password.Normalize(NormalizationForm.FormKC));
            utf8 = utf8[..Math.Min(utf8.Length, 127)];
            return Aes256Key(dictionary, revision, utf8, owner, user);
        }
        var permissions = (int)((dictionary["P"] as PdfNumber)?.AsLong ?? 0);
        var length = revision == 2 ? 5 : (int)Math.Clamp(((dictionary["Length"] as PdfNumber)?.AsLong ?? 40) / 8, 5, 16);
        var encryptMetadata = dictionary["EncryptMetadata"] is not PdfBoolean { Value: false };
        var latin1 = Encoding.Latin1.GetBytes(password);
        var asUser = RcKey(latin1, owner, permissions, id, revision, length, encryptMetadata);
        if (UserPasswordMatches(asUser, user, id, revision))
        {
            return asUser;
        }
        // The owner password (Algorithm 7) decrypts /O to the user password.
        var ownerKey = MD5.HashData(Pad(latin1));
        for (var i = 0; revision >= 3 && i < 50; i++)
        {
            ownerKey = MD5.HashData(ownerKey[..length]);
        }
        ownerKey = ownerKey[..length];
        var recovered = owner;
        for (var i = revision == 2 ? 0 : 19; i >= 0; i--)
        {
            recovered = Rc4(ownerKey.Select(b => (byte)(b ^ i)).ToArray(), recovered);
        }
        var asOwner = RcKey(recovered, owner, permissions, id, revision, length, encryptMetadata);
        return UserPasswordMatches(asOwner, user, id, revision) ? asOwner : null;
    }

    private static byte[] Pad(byte[] password) => [.. password.Take(32), .. Padding.Take(32 - Math.Min(32, password.Length))];

    private static byte[] RcKey(byte[] password, byte[] owner, int permissions, byte[] id, int revision, int length, bool encryptMetadata)
    {
        // Algorithm 2 (§7.6.4.3.2).
        byte[] input = [.. Pad(password), .. owner.Take(32), (byte)permissions, (byte)(permissions >> 8), (byte)(permissions >> 16), (byte)(permissions >> 24),
            .. id, .. revision >= 4 && !encryptMetadata ? new byte[] { 0xFF, 0xFF, 0xFF, 0xFF } : []];
        var hash = MD5.HashData(input);
        for (var i = 0; revision >= 3 && i < 50; i++)
        {
            hash = MD5.HashData(hash[..length]);
        }
        return hash[..length];
    }

    private static bool UserPasswordMatches(byte[] key, byte[] user, byte[] id, int revision)
    {
        if (revision == 2)
        {
            return Rc4(key, Padding).AsSpan().SequenceEqual(user.AsSpan(0, Math.Min(32, user.Length)));
        }
        var value = Rc4(key, MD5.HashData([.. Padding, .. id]));
        for (var i = 1; i <= 19; i++)
        {
            value = Rc4(key.Select(b => (byte)(b ^ i)).ToArray(), value);
        }
        return user.Length >= 16 && value.AsSpan(0, 16).SequenceEqual(user.AsSpan(0, 16));
    }

    private static byte[]? Aes256Key(PdfDictionary dictionary, int revision, byte[] password, byte[] owner, byte[] user)
    {
        if (owner.Length < 48 || user.Length < 48)
        {
            return null;
        }
        // Algorithms 2.A and 11/12 (§7.6.4.3.3–4): user first, then owner.
        if (Hash(revision, password, user.AsSpan(32, 8), []).AsSpan().SequenceEqual(user.AsSpan(0, 32)))
        {
            return UnwrapKey(Hash(revision, password, user.AsSpan(40, 8), []), (dictionary["UE"] as PdfString)?.Bytes);
        }
        if (Hash(revision, password, owner.AsSpan(32, 8), user.AsSpan(0, 48)).AsSpan().SequenceEqual(owner.AsSpan(0, 32)))
        {
            return UnwrapKey(Hash(revision, password, owner.AsSpan(40, 8), user.AsSpan(0, 48)), (dictionary["OE"] as PdfString)?.Bytes);
        }
        return null;
    }

    private static byte[]? UnwrapKey(byte[] intermediate, byte[]? wrapped)
    {
        if (wrapped is not { Length: 32 })
        {
            return null;
        }
        using var aes = Aes.Create();
        aes.Key = intermediate;
        return aes.DecryptCbc(wrapped, new byte[16], PaddingMode.None);
    }

    /// <summary>Algorithm 2.B (revision 6), or plain SHA-256 for revision 5.</summary>
    private static byte[] Hash(int revision, byte[] password, ReadOnlySpan<byte> salt, ReadOnlySpan<byte> userKey)
    {
        byte[] k = SHA256.HashData([.. password, .. salt, .. userKey]);
        if (revision == 5)
        {
            return k;
        }
        using var aes = Aes.Create();
        for (var round = 0; ; round++)
        {
            byte[] block = [.. password, .. k, .. userKey];
            var k1 = new byte[block.Length * 64];
            for (var i = 0; i < 64; i++)
            {
                block.CopyTo(k1, i * block.Length);
            }
            aes.Key = k[..16];
            var e = aes.EncryptCbc(k1, k.AsSpan(16, 16), PaddingMode.None);
            var sum = 0;
            for (var i = 0; i < 16; i++)
            {
                sum += e[i];
            }
            k = (sum % 3) switch
            {
                0 => SHA256.HashData(e),
                1 => SHA384.HashData(e),
                _ => SHA512.HashData(e),
            };
            if (round >= 63 && e[^1] <= round - 31)
            {
                return k[..32];
            }
        }
    }
}
