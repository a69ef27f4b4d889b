using System.Globalization;
using System.Text.RegularExpressions;

namespace DocEngine.Tests.Infrastructure.SignedPdfs;

/// <summary>The structure-tree updates a tagging tool writes for a new widget or annotation in a <see cref="FormPdfOptions.Tagged"/> form.</summary>
public static partial class Tagging
{
    /// <summary>
    /// Writes that tag <paramref name="target"/> (on page 3): a new element numbered <paramref name="element"/> of type
    /// <paramref name="type"/> whose /K is an object reference to it, appended to the Document element; the parent tree
    /// maps a new key to it, and /ParentTreeNextKey grows. Returns the writes and that key (the target's /StructParent).
    /// </summary>
    public static (List<PdfObjectWrite> Writes, int Key) Tag(byte[] pdf, FormPdf form, int target, int element, string type = "Form")
    {
        var (root, document, parentTree) = (form.Extras["StructTreeRoot"], form.Extras["Document"], form.Extras["ParentTree"]);
        var rootBody = PdfObjectReader.ReadObject(pdf, root);
        var key = int.Parse(NextKey().Match(rootBody).Groups[1].Value, CultureInfo.InvariantCulture);
        return ([
            PdfObjectWrite.Of(element, $"<< /Type /StructElem /S /{type} /P {document} 0 R /Pg 3 0 R /K << /Type /OBJR /Obj {target} 0 R /Pg 3 0 R >> >>"),
            PdfObjectWrite.Of(document, InsertIntoArray(PdfObjectReader.ReadObject(pdf, document), "K", $"{element} 0 R")),
            PdfObjectWrite.Of(parentTree, InsertIntoArray(PdfObjectReader.ReadObject(pdf, parentTree), "Nums", $"{key} {element} 0 R")),
            PdfObjectWrite.Of(root, PdfSigner.SetEntry(rootBody, "ParentTreeNextKey", (key + 1).ToString(CultureInfo.InvariantCulture))),
        ], key);
    }

    /// <summary>A dictionary body with <paramref name="items"/> added at the end of its array entry /<paramref name="key"/> (nested brackets allowed).</summary>
    public static string InsertIntoArray(string body, string key, string items)
    {
        var start = body.IndexOf("/" + key + " [", StringComparison.Ordinal);
        if (start < 0)
        {
            start = body.IndexOf("/" + key + "[", StringComparison.Ordinal);
        }
        var position = body.IndexOf('[', start);
        var depth = 0;
        for (; position < body.Length; position++)
        {
            depth += body[position] switch { '[' => 1, ']' => -1, _ => 0 };
            if (depth == 0)
            {
                break;
            }
        }
        return body[..position] + " " + items + body[position..];
    }

    [GeneratedRegex(@"/ParentTreeNextKey\s+(\d+)")]
    private static partial Regex NextKey();
}
