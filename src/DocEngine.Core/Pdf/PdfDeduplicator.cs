using System.Security.Cryptography;
using System.Text;
using PdfSharp.Pdf;
using PdfSharp.Pdf.Advanced;

namespace DocEngine.Core.Pdf;

/// <summary>
/// Shares identical objects once (issue 18): a packet merged from several PDFs repeats each part's fonts, images, ICC
/// profiles and form resources as separate objects that point at separate (but identical) copies of each other, which
/// MuPDF's one-pass merge of byte-identical objects leaves apart. Objects are grouped by what they hold, where a
/// reference counts as the group of what it points to, refined until stable (the way a state machine is minimized, so
/// chains and cycles of references are compared whole); every reference to a member of a group then points at one
/// member, and the rest is unused (dropped when saved). Pages and the page tree are never merged: two identical pages
/// are still two pages, and annotations and form fields stay each their own.
/// </summary>
internal static class PdfDeduplicator
{
    private const int MaxRounds = 16;

    /// <summary>Points every reference at one object of each group of identical objects; returns how many objects became unused.</summary>
    public static int Run(PdfDocument document, CancellationToken cancellationToken)
    {
        var objects = document.Internals.GetAllObjects().Where(o => o.Reference is not null).ToList();
        var index = new Dictionary<PdfObject, int>(ReferenceEqualityComparer.Instance);
        for (var i = 0; i < objects.Count; i++)
        {
            index[objects[i]] = i;
        }
        // Streams are hashed once; the rest of each object is re-described every round with its references' groups.
        var streams = objects.Select(o => o is PdfDictionary { Stream: { } s } ? Convert.ToHexString(SHA256.HashData(s.Value)) : "").ToArray();
        var groups = new int[objects.Count];
        var count = 1;
        for (var round = 0; round < MaxRounds; round++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var keys = new Dictionary<string, int>(StringComparer.Ordinal);
            var next = new int[objects.Count];
            for (var i = 0; i < objects.Count; i++)
            {
                var text = new StringBuilder();
                Describe(objects[i], text, groups, index, 0, i);
                text.Append('#').Append(streams[i]);
                var key = text.ToString();
                if (!keys.TryGetValue(key, out var group))
                {
                    keys[key] = group = keys.Count;
                }
                next[i] = group;
            }
            groups = next;
            if (keys.Count == count)
            {
                break; // stable: refining changed nothing
            }
            count = keys.Count;
        }
        var keep = new Dictionary<int, PdfObject>();
        var replace = new Dictionary<PdfObject, PdfObject>(ReferenceEqualityComparer.Instance);
        for (var i = 0; i < objects.Count; i++)
        {
            if (!keep.TryAdd(groups[i], objects[i]))
            {
                replace[objects[i]] = keep[groups[i]];
            }
        }
        if (replace.Count == 0)
        {
            return 0;
        }
        foreach (var item in objects.Where(o => !replace.ContainsKey(o)))
        {
            Redirect(item, replace, 0);
        }
        Redirect(document.Internals.Catalog, replace, 0);
        return replace.Count;
    }

    /// <summary>An object's content, references written as their target's group; pages and page-tree nodes are unique.</summary>
    private static void Describe(PdfItem? item, StringBuilder text, int[] groups, Dictionary<PdfObject, int> index, int depth, int self)
    {
        if (depth > 32)
        {
            text.Append('…');
            return;
        }
        switch (item)
        {
            case PdfReference reference:
                text.Append('R').Append(reference.Value is { } target && index.TryGetValue(target, out var at) ? groups[at] : -1).Append(' ');
                break;
            case PdfDictionary dictionary:
                if (depth == 0 && (dictionary.Elements.GetName("/Type") is "/Page" or "/Pages" or "/Catalog" or "/Annot" or "/Sig"
                    || dictionary.Elements.ContainsKey("/FT") || dictionary.Elements.ContainsKey("/Rect")))
                {
                    text.Append("unique ").Append(self);
                    return;
                }
                text.Append("<<");
                foreach (var key in dictionary.Elements.Keys.Order(StringComparer.Ordinal))
                {
                    if (key != "/Length")
                    {
                        text.Append(key).Append(' ');
                        Describe(dictionary.Elements[key], text, groups, index, depth + 1, self);
                    }
                }
                text.Append(">>");
                break;
            case PdfArray array:
                text.Append('[');
                foreach (var element in array.Elements)
                {
                    Describe(element, text, groups, index, depth + 1, self);
                    text.Append(' ');
                }
                text.Append(']');
                break;
            default:
                text.Append(item?.GetType().Name).Append(':').Append(item).Append(' ');
                break;
        }
    }

    private static void Redirect(PdfItem item, Dictionary<PdfObject, PdfObject> replace, int depth)
    {
        if (depth > 32)
        {
            return;
        }
        switch (item)
        {
            case PdfDictionary dictionary:
                foreach (var key in dictionary.Elements.Keys.ToList())
                {
                    var value = dictionary.Elements[key];
                    if (value is PdfReference { Value: { } target } && replace.TryGetValue(target, out var kept))
                    {
                        dictionary.Elements[key] = kept.Reference;
                    }
                    else if (value is PdfDictionary or PdfArray && value is PdfObject { Reference: null } direct)
                    {
                        Redirect(direct, replace, depth + 1);
                    }
                }
                break;
            case PdfArray array:
                for (var i = 0; i < array.Elements.Count; i++)
                {
                    var value = array.Elements[i];
                    if (value is PdfReference { Value: { } target } && replace.TryGetValue(target, out var kept))
                    {
                        array.Elements[i] = kept.Reference!;
                    }
                    else if (value is PdfDictionary or PdfArray && value is PdfObject { Reference: null } direct)
                    {
                        Redirect(direct, replace, depth + 1);
                    }
                }
                break;
        }
    }
}
