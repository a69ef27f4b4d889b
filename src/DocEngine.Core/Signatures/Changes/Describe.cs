using DocEngine.Core.Signatures.Syntax;

namespace DocEngine.Core.Signatures.Changes;

/// <summary>Names objects and pages for the sentences a report carries.</summary>
internal static class Describe
{
    /// <summary>What an object is, as a person would name it.</summary>
    public static string Object(DocumentStructure structure, int number, PdfObject value)
    {
        if (structure.FieldByNumber.TryGetValue(number, out var field))
        {
            return $"form field \"{field.Name}\"";
        }
        if (structure.Pages.Contains(number))
        {
            return $"page {PageOf(structure, number)}";
        }
        return value switch
        {
            PdfStream s when s.Name("Subtype") == "Image" => $"an image (object {number})",
            PdfStream s when s.Name("Subtype") == "Form" => $"a drawn XObject (object {number})",
            PdfStream s when s.Name("Type") is null && s["Length"] is not null && s.Entries.Count <= 3 => $"page content (object {number})",
            PdfStream => $"a stream (object {number})",
            PdfDictionary d when d.Name("Type") == "Font" => $"a font (object {number})",
            PdfDictionary d when d.Name("Type") == "OCG" => $"a layer (optional content, object {number})",
            PdfDictionary d when d.Name("Type") is { } type => $"a /{type} object ({number})",
            PdfDictionary d when d["Font"] is not null || d["XObject"] is not null || d["ExtGState"] is not null => $"a resource dictionary (object {number})",
            _ => $"object {number}",
        };
    }

    /// <summary>The 1-based page that is <paramref name="number"/> or shows it as an annotation; 0 when none.</summary>
    public static int PageOf(DocumentStructure structure, int number)
    {
        var index = structure.Pages.IndexOf(number);
        if (index >= 0)
        {
            return index + 1;
        }
        var annotation = structure.Annotations.FirstOrDefault(a => a.Number == number);
        return annotation.Annotation is null ? 0 : annotation.Page;
    }

    /// <summary>The 1-based page whose /Annots is the array object <paramref name="number"/>; 0 when none.</summary>
    public static int PageOfAnnots(DocumentStructure structure, int number)
    {
        for (var i = 0; i < structure.Pages.Count; i++)
        {
            if (structure.Pages[i] is { } page && structure.Resolve(new PdfReference(page, 0)) is PdfDictionary { } dictionary
                && dictionary["Annots"] is PdfReference annots && annots.Number == number)
            {
                return i + 1;
            }
        }
        return 0;
    }
}
