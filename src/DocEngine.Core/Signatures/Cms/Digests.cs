using System.Security.Cryptography;

namespace DocEngine.Core.Signatures.Cms;

/// <summary>
/// Incremental digests by name, including SHAKE256 with a 512-bit output, which Ed448 signatures use in CMS
/// (RFC 8419 §3.1: id-shake256-len) and <see cref="IncrementalHash"/> does not offer.
/// </summary>
internal sealed class Digests : IDisposable
{
    public static readonly HashAlgorithmName Shake256Of512 = new("SHAKE256-512");

    private readonly IncrementalHash? _hash;
    private readonly Shake256? _shake;

    private Digests(HashAlgorithmName algorithm)
    {
        if (algorithm == Shake256Of512)
        {
            _shake = Shake256.IsSupported ? new Shake256() : throw new NotSupportedException("SHAKE256 (used by Ed448 signatures) is not available on this system");
        }
        else
        {
            _hash = IncrementalHash.CreateHash(algorithm);
        }
    }

    public static Digests Create(HashAlgorithmName algorithm) => new(algorithm);

    public void Append(ReadOnlySpan<byte> data)
    {
        _hash?.AppendData(data);
        _shake?.AppendData(data);
    }

    public byte[] Finish() => _hash?.GetHashAndReset() ?? _shake!.GetHashAndReset(64);

    public void Dispose()
    {
        _hash?.Dispose();
        _shake?.Dispose();
    }
}
