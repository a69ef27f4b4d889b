using DocEngine.Core.Signatures.Syntax;

namespace DocEngine.Core.Signatures.Changes;

/// <summary>
/// The structure tree (tagging, ISO 32000-2 §14.7–14.8) that Acrobat and other tools extend when they add a signature
/// or an annotation to a tagged document: new elements (/Form, /Annot) whose object references (OBJR) point at the new
/// widget or annotation, new /ParentTree entries, a larger /ParentTreeNextKey. Such an extension takes the level of what
/// it tags (a widget: form filling, or archival for a document time-stamp; an annotation: annotations). Anything else —
/// an element removed or moved, its /Alt, /ActualText or type changed, new elements claiming content already on the page —
/// changes what assistive technology reads and is "other".
/// </summary>
internal static class TaggingRules
{
    private const int MaxDepth = 32;

    /// <summary>The catalog's /MarkInfo or /StructTreeRoot added, replaced or removed.</summary>
    public static void CatalogEntry(ChangeContext context, string key, PdfObject? before, PdfObject? after)
    {
        if (after is null)
        {
            context.Other(key == "MarkInfo" ? "the document's tagging mark (/MarkInfo) was removed" : "the structure tree (tagging) was removed");
            return;
        }
        if (key == "MarkInfo")
        {
            if (context.After.Resolve(after) is PdfDictionary mark && mark.Entries.Values.All(v => v is PdfBoolean))
            {
                context.Add(ModificationLevel.None, "the document was marked as tagged (/MarkInfo)");
            }
            else
            {
                context.Other("the catalog's /MarkInfo holds more than tagging flags");
            }
            return;
        }
        Changed(context, context.Before.Resolve(before) as PdfDictionary ?? new PdfDictionary([]), context.After.Resolve(after) ?? PdfNull.Instance);
    }

    /// <summary>A structure tree object (the root, an element, a /K array, a number tree node) rewritten.</summary>
    public static void Changed(ChangeContext context, PdfObject old, PdfObject now)
    {
        var tally = new Tally();
        Compare(context, old, now, tally);
        if (tally.Problem is { } problem)
        {
            context.Other(problem);
        }
        else
        {
            context.Add(tally.Level, "the structure tree (tagging) was extended for what this update added");
        }
    }

    private static void Compare(ChangeContext context, PdfObject? old, PdfObject? now, Tally tally)
    {
        switch (old, now)
        {
            case (PdfArray a, PdfArray b):
                Grow(context, a, b, tally, numbers: false);
                break;
            case (PdfDictionary a, PdfDictionary b) when a is not PdfStream && b is not PdfStream:
                foreach (var key in context.ChangedKeys(a, b))
                {
                    switch (key)
                    {
                        case "K" or "Kids":
                            Grow(context, Items(context.Before.Resolve(a[key])), Items(context.After.Resolve(b[key])), tally, numbers: false);
                            break;
                        case "Nums":
                            Grow(context, Items(context.Before.Resolve(a[key])), Items(context.After.Resolve(b[key])), tally, numbers: true);
                            break;
                        case "ParentTree":
                            Compare(context, context.Before.Resolve(a[key]) ?? new PdfDictionary([]), context.After.Resolve(b[key]), tally);
                            break;
                        case "Limits":
                            break;
                        case "ParentTreeNextKey" when (b[key] as PdfNumber)?.Value >= ((a[key] as PdfNumber)?.Value ?? 0):
                            break;
                        default:
                            tally.Fail($"/{key} of an element of the structure tree was changed, which changes what assistive technology reads");
                            break;
                    }
                }
                break;
            default:
                tally.Fail("an element of the structure tree was replaced by something else");
                break;
        }
    }

    /// <summary>Every old item must still be there, in order; what is new must be a tagging addition.</summary>
    private static void Grow(ChangeContext context, PdfArray? old, PdfArray? now, Tally tally, bool numbers)
    {
        var items = now?.Items ?? [];
        var next = 0;
        var matched = new HashSet<int>();
        foreach (var item in old?.Items ?? [])
        {
            while (next < items.Count && !PdfObject.Same(item, items[next], context.File.Span))
            {
                next++;
            }
            if (next == items.Count)
            {
                tally.Fail("an element of the structure tree was removed or moved");
                return;
            }
            matched.Add(next++);
        }
        for (var i = 0; i < items.Count; i++)
        {
            if (!matched.Contains(i))
            {
                Addition(context, items[i], tally, numbers, 0);
            }
        }
    }

    private static void Addition(ChangeContext context, PdfObject item, Tally tally, bool numbers, int depth)
    {
        if (depth > MaxDepth)
        {
            tally.Fail("the structure tree was extended deeper than any tagging needs");
            return;
        }
        switch (item)
        {
            case PdfNumber when numbers:
                break; // a key of the parent tree
            case PdfNumber:
                tally.Fail("an element of the structure tree was given content that was already on the page");
                break;
            case PdfReference reference when !context.IsNew(reference.Number):
                if (!numbers)
                {
                    tally.Fail("an existing element of the structure tree was moved");
                }
                break; // the parent tree may map a new key to an element that exists
            case PdfReference reference:
                Addition(context, context.After.Resolve(reference) ?? PdfNull.Instance, tally, numbers, depth + 1);
                break;
            case PdfArray array:
                foreach (var element in array.Items)
                {
                    Addition(context, element, tally, numbers: false, depth + 1);
                }
                break;
            case PdfDictionary { } objr when objr.Name("Type") == "OBJR":
                Tagged(context, objr["Obj"], tally);
                break;
            case PdfDictionary element when element["S"] is not null:
                foreach (var kid in Items(context.After.Resolve(element["K"]))?.Items ?? [])
                {
                    Addition(context, kid, tally, numbers: false, depth + 1);
                }
                break;
            default:
                tally.Fail("the structure tree was given an element that claims content already on the page");
                break;
        }
    }

    /// <summary>An object reference in a new element: it must tag an annotation or widget; the level is what that is.</summary>
    private static void Tagged(ChangeContext context, PdfObject? target, Tally tally)
    {
        if (context.After.Resolve(target) is not PdfDictionary annotation || annotation.Name("Subtype") is not { } subtype)
        {
            tally.Fail("a new element of the structure tree points at something that is not an annotation");
            return;
        }
        if (subtype != "Widget")
        {
            tally.Raise(ModificationLevel.Annotations);
            return;
        }
        var field = target is PdfReference r ? context.After.FieldByNumber.GetValueOrDefault(r.Number) : null;
        var timestamp = field is not null && context.AddsDocumentTimestamp && context.SignedNow.Contains(field.Name);
        tally.Raise(timestamp ? ModificationLevel.Archival : ModificationLevel.FormFilling);
    }

    private static PdfArray? Items(PdfObject? value) => value switch
    {
        PdfArray array => array,
        null or PdfNull => null,
        _ => new PdfArray([value]),
    };

    private sealed class Tally
    {
        public ModificationLevel Level { get; private set; }

        public string? Problem { get; private set; }

        public void Raise(ModificationLevel level) => Level = level > Level ? level : Level;

        public void Fail(string problem) => Problem ??= problem;
    }
}
