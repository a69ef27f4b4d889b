using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace DocEngine.Core.Receipts;

/// <summary>
/// JWS compact serialization with ES256 (RFC 7515 §7.1, RFC 7518 §3.4): ECDSA P-256 over SHA-256, the signature as
/// the 64-byte R‖S. Any JOSE library can check what this writes.
/// </summary>
public static class Jws
{
    /// <summary>Signs <paramref name="payload"/> with <paramref name="key"/>, naming it <paramref name="keyId"/>.</summary>
    public static string Sign(ReadOnlySpan<byte> payload, string keyId, ECDsa key)
    {
        var header = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["alg"] = "ES256", ["kid"] = keyId, ["typ"] = "docengine-receipt+jws" });
        var signingInput = Base64Url(header) + "." + Base64Url(payload);
        var signature = key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return signingInput + "." + Base64Url(signature);
    }

    /// <summary>The parts of a compact JWS, or a sentence saying why it is not one.</summary>
    public static (JwsParts? Parts, string? Problem) Parse(string compact)
    {
        var pieces = compact.Trim().Split('.');
        if (pieces.Length != 3)
        {
            return (null, "This is not a DocEngine receipt: a receipt is three base64url parts separated by dots (a JWS).");
        }
        try
        {
            var header = JsonDocument.Parse(FromBase64Url(pieces[0])).RootElement;
            var alg = header.TryGetProperty("alg", out var a) ? a.GetString() : null;
            var kid = header.TryGetProperty("kid", out var k) ? k.GetString() : null;
            return (new JwsParts(alg ?? "", kid ?? "", FromBase64Url(pieces[1]), FromBase64Url(pieces[2]), pieces[0] + "." + pieces[1]), null);
        }
        catch (Exception e) when (e is FormatException or JsonException or InvalidOperationException)
        {
            return (null, "This receipt is damaged: its parts are not valid base64url JSON.");
        }
    }

    /// <summary>Whether the parts' signature verifies with <paramref name="key"/> (ES256 only; "none" and others are refused).</summary>
    public static bool Verify(JwsParts parts, ECDsa key) =>
        parts.Algorithm == "ES256" && parts.Signature.Length == 64
        && key.VerifyData(Encoding.ASCII.GetBytes(parts.SigningInput), parts.Signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    public static string Base64Url(ReadOnlySpan<byte> data) => Convert.ToBase64String(data).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static byte[] FromBase64Url(string text) =>
        Convert.FromBase64String(text.Replace('-', '+').Replace('_', '/') + new string('=', (4 - text.Length % 4) % 4));
}

/// <summary>A parsed compact JWS.</summary>
public sealed record JwsParts(string Algorithm, string KeyId, byte[] Payload, byte[] Signature, string SigningInput);
