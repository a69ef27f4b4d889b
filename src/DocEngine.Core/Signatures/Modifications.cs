using DocEngine.Core.Signatures.Changes;
using DocEngine.Core.Signatures.Syntax;

namespace DocEngine.Core.Signatures;

/// <summary>
/// Decides, for each signature, what changed after it and whether that was allowed (ISO 32000-2 §12.8.2.2–12.8.2.4):
/// a certification's DocMDP P (1: nothing but validation data, 2: form filling and signing, 3: also annotations) binds
/// every later change, and under it the certification-only rules apply (sneaky signatures, evil annotations); an
/// approval signature allows form filling and annotations; FieldMDP locks forbid changing the fields they name. Bytes
/// after the last revision that are neither whitespace nor comments count as a change of their own.
/// </summary>
internal static class Modifications
{
    public static void Apply(PdfFile file, DifferenceAnalysis analysis, IReadOnlyList<SignatureFinding> findings, DocumentStructure final)
    {
        if (findings.Count == 0)
        {
            return;
        }
        var changes = new Dictionary<int, RevisionChanges>();
        RevisionChanges ChangesIn(int revision)
        {
            if (!changes.TryGetValue(revision, out var c))
            {
                try
                {
                    c = analysis.Analyse(revision);
                }
                catch (PdfSyntaxException e)
                {
                    c = new RevisionChanges([new Change(ModificationLevel.Other, ModificationLevel.Other, $"revision {revision + 1} cannot be read ({e.Message}), so what it changed cannot be checked")], []);
                }
                changes[revision] = c;
            }
            return c;
        }
        var trailing = TrailingBytes(file);
        var certification = findings.FirstOrDefault(f => f.Kind == SignatureKind.Certification);
        if (certification is not null && !ReferenceEquals(certification, findings[0]))
        {
            certification.Problems.Add("A certification signature must be the first signature in the document; this one is not.");
        }
        foreach (var finding in findings)
        {
            finding.Allowed = finding.Kind == SignatureKind.Certification ? Allowance(finding.DocMdp) : ModificationLevel.Annotations;
            var certified = finding.Kind == SignatureKind.Certification;
            if (certification is not null && certification.SignedRevisionEnd <= finding.SignedRevisionEnd)
            {
                finding.Allowed = (ModificationLevel)Math.Min((int)finding.Allowed, (int)Allowance(certification.DocMdp));
                certified = true;
            }
            if (finding.RevisionIndex < 0)
            {
                continue;
            }
            var locks = finding.LockedFields.Concat(FieldLock(final, finding.FieldName)).ToList();
            var level = ModificationLevel.None;
            string? disallowed = null;
            void Note(ModificationLevel changeLevel, string sentence)
            {
                level = changeLevel > level ? changeLevel : level;
                disallowed ??= changeLevel > finding.Allowed ? sentence : null;
                if (finding.Changes.Count < 20 && !finding.Changes.Contains(sentence))
                {
                    finding.Changes.Add(sentence);
                }
            }
            for (var k = finding.RevisionIndex + 1; k < file.Revisions.Count; k++)
            {
                var revision = ChangesIn(k);
                foreach (var change in revision.Changes)
                {
                    Note(certified ? change.Certified : change.Level, change.Sentence);
                }
                foreach (var field in revision.ChangedFields.Where(f => f != finding.FieldName && FieldLocks.Covers(locks, f)))
                {
                    Note(ModificationLevel.Other, $"form field \"{field}\" was changed although this signature locks it");
                }
            }
            if (trailing > 0)
            {
                Note(ModificationLevel.Other, $"{trailing} bytes that belong to no revision were appended at the end of the file");
            }
            finding.ModificationLevel = level;
            finding.DisallowedChange = disallowed;
            if (disallowed is not null)
            {
                var rule = finding.Allowed switch
                {
                    ModificationLevel.Archival or ModificationLevel.None => "the certification allows no changes (DocMDP P=1)",
                    ModificationLevel.FormFilling => "the certification allows only filling in the form and signing (DocMDP P=2)",
                    _ => "only form filling, signing and annotations may follow a signature",
                };
                finding.Problems.Add(CmsSignatureCheck.Sentence($"After this signature, {disallowed}, and {rule}"));
            }
        }
    }

    private static ModificationLevel Allowance(int docMdp) => docMdp switch
    {
        1 => ModificationLevel.Archival,
        2 => ModificationLevel.FormFilling,
        _ => ModificationLevel.Annotations,
    };

    private static IEnumerable<string> FieldLock(DocumentStructure final, string fieldName)
    {
        var field = final.Fields.FirstOrDefault(f => f.Name == fieldName);
        return field is not null && final.Resolve(field.Dictionary["Lock"]) is PdfDictionary lockDictionary ? FieldLocks.Describe(lockDictionary) : [];
    }

    private static long TrailingBytes(PdfFile file)
    {
        var end = file.Revisions[^1].End;
        if (end >= file.Length)
        {
            return 0;
        }
        var tail = file.Span[(int)end..];
        var parser = new PdfParser(file.Memory[(int)end..], positionsAreFileOffsets: false);
        parser.SkipWhitespace(); // comments too: a repeated %%EOF adds nothing a reader shows
        return parser.Position < tail.Length ? tail.Length : 0;
    }
}
