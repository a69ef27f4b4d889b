using System.Text.RegularExpressions;
using DocEngine.Core.Signatures.Changes;
using DocEngine.Core.Signatures.Syntax;

namespace DocEngine.Core.Signatures;

/// <summary>A form field: its fully qualified name (§12.7.4.2) and inherited type.</summary>
internal sealed record FormField(string Name, string? Type, int? Number, PdfDictionary Dictionary, List<(int? Number, PdfDictionary Widget)> Widgets);

/// <summary>
/// The parts of one revision that signature analysis reasons about: catalog, page tree, annotations, the form's fields
/// and widgets; and, on first need, what every reachable object is used for (<see cref="Roles"/>). Walks are bounded in
/// depth and count.
/// </summary>
internal sealed partial class DocumentStructure
{
    private const int MaxNodes = 200_000;
    private readonly PdfFile _file;
    private readonly int _revision;
    private RoleMap? _roles;
    private int _visits;

    public DocumentStructure(PdfFile file, int revision)
    {
        _file = file;
        _revision = revision;
        var trailer = file.Revisions[revision].Trailer;
        CatalogNumber = (trailer["Root"] as PdfReference)?.Number;
        Catalog = Resolve(trailer["Root"]) as PdfDictionary ?? throw new PdfSyntaxException("the document has no catalog (/Root)");
        if (file.Revisions[revision].Reconstructed && Resolve(Catalog["Pages"]) is not PdfDictionary)
        {
            throw new PdfSyntaxException("even rebuilt by scanning, it has no page tree");
        }
        WalkPages(Catalog["Pages"], 0, []);
        WalkForm();
    }

    /// <summary>The revision this structure describes.</summary>
    public int Revision => _revision;

    public int? CatalogNumber { get; }

    public PdfDictionary Catalog { get; }

    public PdfDictionary? AcroForm { get; private set; }

    public List<int?> Pages { get; } = [];

    public List<FormField> Fields { get; } = [];

    /// <summary>Annotations by page (1-based), with their object numbers when indirect.</summary>
    public List<(int Page, int? Number, PdfDictionary Annotation)> Annotations { get; } = [];

    /// <summary>Field objects (and merged widgets) by object number.</summary>
    public Dictionary<int, FormField> FieldByNumber { get; } = [];

    /// <summary>What each reachable object is used for; walked on first use.</summary>
    public RoleMap Roles => _roles ??= new RoleMap(_file, _revision, this);

    public ObjectRole RoleOf(int number) => Roles[number];

    public PdfObject? Resolve(PdfObject? value) => _file.Resolve(value, _revision);

    private bool Visit() => ++_visits <= MaxNodes;

    private void WalkPages(PdfObject? node, int depth, HashSet<int> seen)
    {
        if (depth > 64 || !Visit() || node is PdfReference r && !seen.Add(r.Number) || Resolve(node) is not PdfDictionary dictionary)
        {
            return;
        }
        if (dictionary["Kids"] is { } kids && dictionary.Name("Type") != "Page")
        {
            if (Resolve(kids) is PdfArray array)
            {
                foreach (var kid in array.Items)
                {
                    WalkPages(kid, depth + 1, seen);
                }
            }
            return;
        }
        Pages.Add((node as PdfReference)?.Number);
        if (Resolve(dictionary["Annots"]) is not PdfArray annots)
        {
            return;
        }
        foreach (var item in annots.Items.Take(10_000))
        {
            if (Resolve(item) is not PdfDictionary annotation)
            {
                continue;
            }
            var number = (item as PdfReference)?.Number;
            Annotations.Add((Pages.Count, number, annotation));
        }
    }

    private void WalkForm()
    {
        AcroForm = Resolve(Catalog["AcroForm"]) as PdfDictionary;
        if (AcroForm is null)
        {
            return;
        }
        if (Resolve(AcroForm["Fields"]) is PdfArray fields)
        {
            foreach (var field in fields.Items)
            {
                WalkField(field, "", null, 0, []);
            }
        }
    }

    private void WalkField(PdfObject? node, string parentName, string? parentType, int depth, HashSet<int> seen)
    {
        if (depth > 32 || !Visit() || node is PdfReference r && !seen.Add(r.Number) || Resolve(node) is not PdfDictionary field)
        {
            return;
        }
        var number = (node as PdfReference)?.Number;
        var partial = (Resolve(field["T"]) as PdfString)?.Text;
        var name = partial is null ? parentName : parentName.Length == 0 ? partial : parentName + "." + partial;
        var type = field.Name("FT") ?? parentType;
        var kids = Resolve(field["Kids"]) as PdfArray;
        var formField = new FormField(name, type, number, field, []);
        if (kids is null || kids.Items.Count == 0)
        {
            formField.Widgets.Add((number, field));
        }
        else
        {
            foreach (var kid in kids.Items)
            {
                if (Resolve(kid) is PdfDictionary child && child["T"] is null)
                {
                    // A kid without /T is a widget of this field (§12.7.4.1).
                    formField.Widgets.Add(((kid as PdfReference)?.Number, child));
                    if (kid is PdfReference k)
                    {
                        FieldByNumber.TryAdd(k.Number, formField);
                    }
                }
                else
                {
                    WalkField(kid, name, type, depth + 1, seen);
                }
            }
        }
        if (partial is null && kids is not null && formField.Widgets.Count == 0)
        {
            return;
        }
        Fields.Add(formField);
        if (number is { } n)
        {
            FieldByNumber.TryAdd(n, formField);
        }
    }

    /// <summary>Field names people give to signature boxes, in several languages.</summary>
    [GeneratedRegex(@"sign|signat|firma|unterschrift|assinatura|podpis|handtekening", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    public static partial Regex SignatureLikeName();
}
