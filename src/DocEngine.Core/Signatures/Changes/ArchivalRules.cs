using System.Text.RegularExpressions;
using DocEngine.Core.Signatures.Syntax;

namespace DocEngine.Core.Signatures.Changes;

/// <summary>
/// Validation data and declarations that long-term signatures add (ETSI EN 319 142-1 §5.4; pyHanko's DSSCompareRule;
/// DSS's "secure changes"): the document security store and its VRI entries, and the catalog's /Extensions. They are
/// archival — allowed even by a DocMDP P=1 certification — as long as they hold only what they are for. Anything else
/// inside them, an existing VRI entry changed, or validation data overwritten in place, is "other".
/// </summary>
internal static partial class ArchivalRules
{
    private static readonly HashSet<string> DssKeys = ["Type", "VRI", "Certs", "CRLs", "OCSPs"];
    private static readonly HashSet<string> VriKeys = ["Type", "TU", "TS", "Cert", "CRL", "OCSP"];
    private static readonly HashSet<string> ExtensionKeys = ["Type", "BaseVersion", "ExtensionLevel", "ExtensionRevision", "URL"];

    /// <summary>The catalog's /DSS added or replaced.</summary>
    public static void Dss(ChangeContext context, PdfObject? old, PdfObject? now)
    {
        if (now is null)
        {
            context.Other("the document security store (DSS) was removed");
            return;
        }
        var problem = DssProblem(context, context.Before.Resolve(old) as PdfDictionary, context.After.Resolve(now));
        if (problem is not null)
        {
            context.Other(problem);
            return;
        }
        context.Add(ModificationLevel.Archival, old is null
            ? "validation data (a document security store) was added"
            : "validation data (certificates, revocation data) was added to the document security store");
    }

    /// <summary>An object inside the DSS rewritten: the DSS or VRI dictionary, or one of its arrays.</summary>
    public static void Changed(ChangeContext context, int number, PdfObject old, PdfObject now)
    {
        if (old is PdfStream)
        {
            context.Other($"validation data already in the document security store (object {number}) was overwritten");
            return;
        }
        var dssReference = context.Before.Catalog["DSS"] as PdfReference;
        var dss = context.Before.Resolve(dssReference) as PdfDictionary;
        string? problem;
        if (dssReference?.Number == number)
        {
            problem = DssProblem(context, old as PdfDictionary, now);
        }
        else if (dss?["VRI"] is PdfReference vri && vri.Number == number)
        {
            problem = VriProblem(context, old as PdfDictionary, now);
        }
        else if (old is PdfArray)
        {
            problem = StreamArray(context, now) ? null : "an array of the document security store no longer holds only validation data";
        }
        else
        {
            problem = $"an entry of the document security store (object {number}) was changed after it was written";
        }
        if (problem is not null)
        {
            context.Other(problem);
        }
        else
        {
            context.Add(ModificationLevel.Archival, "validation data (certificates, revocation data) was added to the document security store");
        }
    }

    /// <summary>The catalog's /Extensions (direct or indirect, added or updated): developer extension declarations only.</summary>
    public static void Extensions(ChangeContext context, PdfObject? now)
    {
        if (now is null)
        {
            context.Add(ModificationLevel.Archival, "the document's declared extensions were removed");
        }
        else if (context.After.Resolve(now) is PdfDictionary extensions && extensions.Entries.All(e => e.Key == "Type" || Declaration(context, e.Value)))
        {
            context.Add(ModificationLevel.Archival, "the document's declared extensions (e.g. ESIC for PAdES) were updated");
        }
        else
        {
            context.Other("the catalog's /Extensions holds more than extension declarations");
        }
    }

    private static bool Declaration(ChangeContext context, PdfObject value)
    {
        if (value is PdfReference reference && !context.IsNew(reference.Number) && !context.Before.RoleOf(reference.Number).HasFlag(ObjectRole.Extensions))
        {
            return false; // an extension may live in its own object, but not in one the document already uses otherwise
        }
        return context.After.Resolve(value) switch
        {
            PdfDictionary d => Plain(d),
            PdfArray a => a.Items.All(i => context.After.Resolve(i) is PdfDictionary d && Plain(d)),
            _ => false,
        };
    }

    private static bool Plain(PdfDictionary declaration) =>
        declaration.Entries.All(e => ExtensionKeys.Contains(e.Key) && e.Value is PdfName or PdfNumber or PdfString or PdfBoolean);

    private static string? DssProblem(ChangeContext context, PdfDictionary? old, PdfObject? now)
    {
        if (now is not PdfDictionary dss)
        {
            return "the document security store is not a dictionary";
        }
        if (dss.Entries.Keys.FirstOrDefault(k => !DssKeys.Contains(k)) is { } unexpected)
        {
            return $"the document security store holds an unexpected entry /{unexpected}";
        }
        if (new[] { "Certs", "CRLs", "OCSPs" }.Any(k => dss[k] is { } v && !StreamArray(context, v)))
        {
            return "the document security store's /Certs, /CRLs or /OCSPs is not a list of data streams";
        }
        return dss["VRI"] is { } vri ? VriProblem(context, context.Before.Resolve(old?["VRI"]) as PdfDictionary, context.After.Resolve(vri)) : null;
    }

    private static string? VriProblem(ChangeContext context, PdfDictionary? old, PdfObject? now)
    {
        if (now is not PdfDictionary vri)
        {
            return "the document security store's /VRI is not a dictionary";
        }
        foreach (var (key, value) in old?.Entries ?? [])
        {
            if (!PdfObject.Same(value, vri[key], context.File.Span))
            {
                return $"the validation data recorded for signature {key[..Math.Min(8, key.Length)]}… (VRI) was changed or removed";
            }
        }
        foreach (var (key, value) in vri.Entries.Where(e => old?[e.Key] is null))
        {
            if (!VriKey().IsMatch(key))
            {
                return $"the document security store's /VRI holds an entry /{key}, which is not a signature's SHA-1 hash";
            }
            var entry = context.After.Resolve(value) as PdfDictionary;
            if (entry is null or PdfStream
                || entry.Entries.Any(e => !VriKeys.Contains(e.Key) || e.Key is "Cert" or "CRL" or "OCSP" && !StreamArray(context, e.Value)
                    || e.Key == "TS" && context.After.Resolve(e.Value) is not PdfStream))
            {
                return "a /VRI entry of the document security store holds more than validation data";
            }
        }
        return null;
    }

    private static bool StreamArray(ChangeContext context, PdfObject value) =>
        context.After.Resolve(value) is PdfArray array && array.Items.All(i => i is PdfReference && context.After.Resolve(i) is PdfStream);

    [GeneratedRegex("^[0-9A-F]{40}$")]
    private static partial Regex VriKey();
}
