using System.Security.Cryptography;

namespace DocEngine.Core.Receipts;

/// <summary>The outcome of checking receipts: valid or not, a sentence per problem, and what they attest.</summary>
public sealed record ReceiptCheckResult(IReadOnlyList<string> Problems, IReadOnlyList<ReceiptPayload> Receipts)
{
    public bool Valid => Problems.Count == 0;
}

/// <summary>
/// Checks receipts the way a third party would, without DocEngine's database: each JWS against the published keys,
/// the hash chain between consecutive receipts (a removed, reordered or altered receipt breaks it), and optionally
/// that a local file is the one a receipt names.
/// </summary>
public static class ReceiptCheck
{
    /// <param name="chain">One or more receipts (JWS texts) of one application, in order.</param>
    /// <param name="keyFor">The public key for a key id, or null when unknown.</param>
    /// <param name="previous">The receipt just before the first one, when the chain link to it should be checked.</param>
    /// <param name="document">A local file's bytes, to match against the receipts' SHA-256 and size.</param>
    public static ReceiptCheckResult Verify(IReadOnlyList<string> chain, Func<string, ECDsa?> keyFor, string? previous, Stream? document)
    {
        var problems = new List<string>();
        var payloads = new List<ReceiptPayload>();
        if (chain.Count == 0)
        {
            return new ReceiptCheckResult(["The receipt file is empty: give the receipt that `docengine upload --receipt-out` wrote."], []);
        }
        var links = previous is null ? chain.Select(j => (Jws: j, Label: "")).ToList() : [(previous, "the previous receipt: "), .. chain.Select(j => (j, ""))];
        ReceiptPayload? before = null;
        string? beforeJws = null;
        foreach (var (jws, label) in links)
        {
            var payload = CheckOne(jws, keyFor, problems, label);
            if (payload is null)
            {
                before = null;
                continue;
            }
            if (before is not null && beforeJws is not null)
            {
                if (payload.PreviousReceiptSha256 != ReceiptService.Sha256(beforeJws) || payload.Sequence != before.Sequence + 1 || payload.Application != before.Application)
                {
                    problems.Add($"Receipt {payload.Sequence} does not follow receipt {before.Sequence}: a receipt between them is missing, or one was reordered or replaced.");
                }
            }
            else if (payload.Sequence == 1 && payload.PreviousReceiptSha256 is not null)
            {
                problems.Add("The first receipt of the application names a previous receipt: it is not a genuine first receipt.");
            }
            if (label.Length == 0)
            {
                payloads.Add(payload);
            }
            (before, beforeJws) = (payload, jws);
        }
        if (document is not null && payloads.Count > 0)
        {
            var (size, sha) = Measure(document);
            if (!payloads.Any(p => p.Sha256 == sha && p.SizeBytes == size))
            {
                var named = payloads[^1];
                problems.Add($"The file does not match the receipt: it has {size} bytes and SHA-256 {sha}, the receipt names {named.SizeBytes} bytes and {named.Sha256} (\"{named.Filename}\").");
            }
        }
        return new ReceiptCheckResult(problems, payloads);
    }

    private static ReceiptPayload? CheckOne(string jws, Func<string, ECDsa?> keyFor, List<string> problems, string label)
    {
        var (parts, problem) = Jws.Parse(jws);
        if (parts is null)
        {
            problems.Add(label + problem);
            return null;
        }
        var key = keyFor(parts.KeyId);
        if (key is null)
        {
            problems.Add($"{label}The receipt is signed with key \"{parts.KeyId}\", which is not among the keys given: fetch the issuer's keys (GetReceiptKeys) or pass --key with its public key.");
            return null;
        }
        if (!Jws.Verify(parts, key))
        {
            problems.Add($"{label}The receipt's signature does not verify: it was altered after it was issued, or it was not issued with this key.");
            return null;
        }
        var payload = ReceiptPayload.FromJson(parts.Payload);
        if (payload is null)
        {
            problems.Add($"{label}The signed content is not a DocEngine receipt.");
        }
        return payload;
    }

    private static (long Size, string Sha256) Measure(Stream document)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 16];
        long size = 0;
        int read;
        while ((read = document.Read(buffer)) > 0)
        {
            hash.AppendData(buffer.AsSpan(0, read));
            size += read;
        }
        return (size, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }
}
