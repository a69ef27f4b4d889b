using DocEngine.Tests.Infrastructure.SignedPdfs;

namespace DocEngine.Tests.Signatures;

/// <summary>
/// Every attack family the issue names, in at least two variants each, and the permitted changes they resemble
/// (<see cref="AttackCatalog"/>): each gets the verdict it deserves, and says why in a sentence.
/// </summary>
public sealed class AttackFamilyTests
{
    public static TheoryData<string> Fixtures()
    {
        var data = new TheoryData<string>();
        foreach (var fixture in AttackCatalog.Fixtures)
        {
            data.Add(fixture.Id);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public async Task Each_attack_variant_is_caught_and_each_permitted_counterpart_is_valid(string id)
    {
        var fixture = AttackCatalog.Fixtures.Single(f => f.Id == id);

        var report = await SignatureVerificationTests.VerifyAsync(fixture.Build());

        var said = string.Join(" | ", report.Signatures.SelectMany(s => s.Changes.Concat(s.Problems)));
        Assert.True(fixture.Expected == report.Verdict, $"{fixture.Description}: expected {fixture.Expected}, got {report.Verdict}. {said}");
        if (fixture.Sentence is { } sentence)
        {
            Assert.Contains(sentence, said, StringComparison.Ordinal);
        }
        Assert.False(string.IsNullOrWhiteSpace(report.Explanation));
    }

    [Fact]
    public void Every_family_of_the_issue_is_tried_in_at_least_two_variants()
    {
        var families = AttackCatalog.Fixtures.Where(f => f.Expected != DocEngine.Core.Signatures.SignatureVerdict.Valid)
            .GroupBy(f => f.Family.Split(':')[0]).ToDictionary(g => g.Key, g => g.Count());

        foreach (var family in new[] { "shadow", "sneaky appearance", "evil annotation", "sneaky signature", "incremental saving", "signature wrapping", "universal forgery" })
        {
            Assert.True(families.GetValueOrDefault(family) >= 2, $"{family}: {families.GetValueOrDefault(family)} variant(s)");
        }
        Assert.All(new[] { "shadow: hide", "shadow: replace", "shadow: hide-and-replace" },
            kind => Assert.True(AttackCatalog.Fixtures.Count(f => f.Family == kind) >= 2, kind));
    }
}
