using DocEngine.Core.Signatures.Syntax;

namespace DocEngine.Core.Signatures;

/// <summary>
/// Finds what a person may take for a signature but is not one: a typed name in a field called "signature", a stamp,
/// a hand-drawn (ink) mark, an image in a signature button.
/// </summary>
internal static class Marks
{
    public static List<NonCryptographicMark> Find(DocumentStructure structure)
    {
        var marks = new List<NonCryptographicMark>();
        foreach (var field in structure.Fields)
        {
            var label = field.Name + " " + ((structure.Resolve(field.Dictionary["TU"]) as PdfString)?.Text ?? "");
            if (!DocumentStructure.SignatureLikeName().IsMatch(label))
            {
                continue;
            }
            var page = field.Widgets.Select(w => PageOf(structure, w.Widget)).FirstOrDefault(p => p > 0);
            if (field.Type == "Tx" && structure.Resolve(field.Dictionary["V"]) is PdfString { Bytes.Length: > 0 } value && value.Text.Trim().Length > 0)
            {
                marks.Add(new NonCryptographicMark(MarkKind.TypedName, field.Name, page, value.Text.Trim()));
            }
            else if (field.Type == "Btn" && field.Widgets.Any(w => w.Widget["AP"] is not null))
            {
                marks.Add(new NonCryptographicMark(MarkKind.ImageField, field.Name, page, null));
            }
        }
        foreach (var (page, _, annotation) in structure.Annotations)
        {
            var kind = annotation.Name("Subtype") switch
            {
                "Stamp" => MarkKind.Stamp,
                "Ink" => MarkKind.Ink,
                _ => (MarkKind?)null,
            };
            if (kind is { } k)
            {
                marks.Add(new NonCryptographicMark(k, null, page, (structure.Resolve(annotation["Contents"]) as PdfString)?.Text));
            }
        }
        return marks;
    }

    private static int PageOf(DocumentStructure structure, PdfDictionary widget)
    {
        if (widget["P"] is PdfReference page)
        {
            var index = structure.Pages.IndexOf(page.Number);
            if (index >= 0)
            {
                return index + 1;
            }
        }
        return structure.Annotations.FirstOrDefault(a => ReferenceEquals(a.Annotation, widget)).Page;
    }
}
