using System.Text.RegularExpressions;
using DocEngine.Core.Signatures;
using DocEngine.Tests.Infrastructure;
using DocEngine.Tests.Infrastructure.SignedPdfs;

namespace DocEngine.Tests.Signatures;

/// <summary>
/// The rule table of src/DocEngine.Core/Signatures/README.md, row by row: each change is made after a signature under
/// every setting — an approval signature, certifications with DocMDP P=1, P=2 and P=3, and an approval signature whose
/// FieldMDP locks ApplicantName — and the level and the verdict must be the table's.
/// </summary>
public sealed class DifferenceRuleTests
{
    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var rule in ChangeCatalog.Rules)
        {
            foreach (var setting in ChangeCatalog.Settings)
            {
                data.Add(rule.Id, setting);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Each_change_has_its_level_and_is_allowed_only_where_the_setting_allows_it(string ruleId, string setting)
    {
        var rule = ChangeCatalog.Rules.Single(r => r.Id == ruleId);
        var signed = ChangeCatalog.Sign(rule, setting);

        var report = await SignatureVerificationTests.VerifyAsync(rule.Apply(signed));

        var first = report.Signatures[0];
        var level = ChangeCatalog.Expected(rule, setting);
        var verdict = level > ChangeCatalog.Allowed(setting) ? SignatureVerdict.Modified : SignatureVerdict.Valid;
        Assert.True((level, verdict) == (first.ModificationLevel, report.Verdict),
            $"{rule.Change} under {setting}: expected {level} and {verdict}, got {first.ModificationLevel} and {report.Verdict}. Changes: {string.Join(" | ", first.Changes)}. Problems: {string.Join(" | ", report.Signatures.SelectMany(s => s.Problems))}");
        Assert.Equal(SignatureIntegrity.Intact, first.Integrity);
        if (rule.Sentence.Length > 0)
        {
            Assert.Contains(first.Changes, c => c.Contains(rule.Sentence, StringComparison.Ordinal));
        }
        else
        {
            Assert.Empty(first.Changes);
        }
        Assert.All(report.Signatures.Skip(1), s => Assert.Equal(SignatureIntegrity.Intact, s.Integrity));
    }

    [SkippableFact]
    public void The_readme_rule_table_names_every_rule_the_tests_build_and_no_other()
    {
        var readme = File.ReadAllText(Path.Combine(RepoPaths.Root, "src", "DocEngine.Core", "Signatures", "README.md"));
        var table = readme[readme.IndexOf("<!-- rules:begin -->", StringComparison.Ordinal)..readme.IndexOf("<!-- rules:end -->", StringComparison.Ordinal)];
        var ids = Regex.Matches(table, @"^\| `([a-z0-9-]+)` \|", RegexOptions.Multiline).Select(m => m.Groups[1].Value).ToList();

        Assert.Equal(ChangeCatalog.Rules.Select(r => r.Id).Order(), ids.Order());
        foreach (var rule in ChangeCatalog.Rules)
        {
            var row = Regex.Match(table, $@"^\| `{rule.Id}` \|[^\n]*", RegexOptions.Multiline).Value;
            Assert.Contains($"| {Words(rule.Approval)} | {Words(rule.Certified)} |", row, StringComparison.Ordinal);
        }
    }

    private static string Words(ModificationLevel level) => level switch
    {
        ModificationLevel.None => "none",
        ModificationLevel.Archival => "archival",
        ModificationLevel.FormFilling => "form filling",
        ModificationLevel.Annotations => "annotations",
        _ => "other",
    };
}
