using DocEngine.Core.Signatures.Syntax;

namespace DocEngine.Core.Signatures;

/// <summary>What one incremental update changed, classified: the most significant level, one sentence per change, and the form fields it touched.</summary>
internal sealed record RevisionChanges(ModificationLevel Level, List<(ModificationLevel Level, string Sentence)> Sentences, HashSet<string> ChangedFields);

/// <summary>
/// Compares each revision with the one before it, object by object, and classifies every change by what the object is
/// for (after pyHanko's difference analysis and ISO 32000-2 §12.8.2.2): signing or filling a form, adding or editing
/// annotations, adding validation data (DSS, document time-stamps), or anything else. Anything not positively
/// recognised as allowed is "other": replaced content or XObject streams (shadow attacks), an appearance stream shared
/// with something else overwritten (sneaky updates), an altered signature dictionary, page-tree or catalog changes.
/// Rewriting an object unchanged, or adding objects nothing uses, changes nothing.
/// </summary>
internal sealed class DifferenceAnalysis(PdfFile file, CancellationToken cancellationToken)
{
    private readonly Dictionary<int, DocumentStructure> _structures = [];

    public DocumentStructure Structure(int revision)
    {
        if (!_structures.TryGetValue(revision, out var structure))
        {
            _structures[revision] = structure = new DocumentStructure(file, revision);
        }
        return structure;
    }

    /// <summary>The changes revision <paramref name="revision"/> made to revision <paramref name="revision"/> − 1.</summary>
    public RevisionChanges Analyse(int revision)
    {
        var before = Structure(revision - 1);
        var after = Structure(revision);
        var context = new ChangeContext(file, revision, before, after);
        var oldTrailer = file.Revisions[revision - 1].Trailer;
        var newTrailer = file.Revisions[revision].Trailer;
        if (!SameReference(oldTrailer["Root"], newTrailer["Root"]))
        {
            context.Add(ModificationLevel.Other, "the document catalog was replaced by a different object");
        }
        if (!PdfObject.Same(oldTrailer["Encrypt"], newTrailer["Encrypt"], file.Span))
        {
            context.Add(ModificationLevel.Other, "the encryption settings were changed");
        }
        if (!SameReference(oldTrailer["Info"], newTrailer["Info"]))
        {
            context.Add(ModificationLevel.None, "the document information (title, dates) was updated; it is not displayed as content");
        }
        foreach (var number in file.Revisions[revision].Entries.Keys.Order())
        {
            cancellationToken.ThrowIfCancellationRequested();
            var old = file.Get(number, revision - 1);
            var now = file.Get(number, revision);
            if (old is null || PdfObject.Same(old, now, file.Span))
            {
                continue; // new objects matter only through what refers to them, which is itself a change
            }
            if (IsContainer(old) && IsContainer(now) && context.ReferencesTo(number) == 0)
            {
                continue; // an object or cross-reference stream rewritten: the objects inside it are compared one by one
            }
            if (now is null)
            {
                if (before.RoleOf(number) != ObjectRole.None)
                {
                    context.Add(ModificationLevel.Other, $"{ChangeRules.Describe(before, number, old)} was deleted");
                }
                continue;
            }
            ChangeRules.Classify(context, number, old, now);
        }
        return new RevisionChanges(context.Level, context.Sentences, context.ChangedFields);
    }

    private static bool IsContainer(PdfObject? value) => value is null || value is PdfStream stream && stream.Name("Type") is "ObjStm" or "XRef";

    private static bool SameReference(PdfObject? a, PdfObject? b) =>
        (a, b) is (PdfReference x, PdfReference y) ? x.Number == y.Number && x.Generation == y.Generation : a is null && b is null;
}

/// <summary>The state of classifying one revision's changes.</summary>
internal sealed class ChangeContext(PdfFile file, int revision, DocumentStructure before, DocumentStructure after)
{
    private Dictionary<int, int>? _referenceCounts;

    public PdfFile File { get; } = file;
    public int Revision { get; } = revision;
    public DocumentStructure Before { get; } = before;
    public DocumentStructure After { get; } = after;
    public ModificationLevel Level { get; private set; }
    public List<(ModificationLevel Level, string Sentence)> Sentences { get; } = [];
    public HashSet<string> ChangedFields { get; } = new(StringComparer.Ordinal);

    public void Add(ModificationLevel level, string sentence)
    {
        Level = level > Level ? level : Level;
        if (Sentences.Count < 20 && !Sentences.Any(s => s.Sentence == sentence))
        {
            Sentences.Add((level, sentence));
        }
    }

    /// <summary>How many objects of the earlier revision refer to <paramref name="number"/>; counted once, on first need.</summary>
    public int ReferencesTo(int number)
    {
        if (_referenceCounts is null)
        {
            _referenceCounts = [];
            var numbers = new HashSet<int>();
            for (var r = 0; r < Revision; r++)
            {
                numbers.UnionWith(File.Revisions[r].Entries.Keys);
            }
            foreach (var n in numbers)
            {
                try
                {
                    Count(File.Get(n, Revision - 1), 0);
                }
                catch (PdfSyntaxException)
                {
                    // An unreadable object refers to nothing we can see.
                }
            }
        }
        return _referenceCounts.GetValueOrDefault(number);
    }

    private void Count(PdfObject? value, int depth)
    {
        switch (value)
        {
            case PdfReference r:
                _referenceCounts![r.Number] = _referenceCounts.GetValueOrDefault(r.Number) + 1;
                break;
            case PdfArray a when depth < PdfParser.MaxDepth:
                a.Items.ForEach(i => Count(i, depth + 1));
                break;
            case PdfDictionary d when depth < PdfParser.MaxDepth:
                foreach (var v in d.Entries.Values)
                {
                    Count(v, depth + 1);
                }
                break;
        }
    }
}
