using System.Globalization;
using System.Text;
using DocEngine.Core.Signatures;
using DocEngine.Tests.Infrastructure.SignedPdfs;

namespace DocEngine.Tests.Signatures;

/// <summary>
/// pdfsig beside DocEngine on every fixture we build: each attack variant and permitted counterpart of
/// <see cref="AttackCatalog"/>, and each rule of <see cref="ChangeCatalog"/> after a P=2 certification. What pdfsig says
/// is recorded here, fixture by fixture, so the comparison table in Signatures/README.md is a test, not a claim: when
/// pdfsig (or our verifier) starts answering differently, this fails and names the fixture. With
/// DOCENGINE_SIGNATURE_FIXTURES=DIR the fixtures are also written to DIR (with fixtures.tsv and the test root), which is
/// how benchmarks/signatures-vs-pdfsig.sh runs the CLI and pdfsig over them.
/// </summary>
public sealed class FixturesVersusPdfsigTests
{
    /// <summary>
    /// The fixtures on which pdfsig does not answer "Signature is Valid." for every signature, with its words for the
    /// first one that is not. On every other fixture it calls every signature valid.
    /// </summary>
    private static readonly Dictionary<string, string> PdfsigDoesNotSayValid = new()
    {
        ["attack:swa-byterange-shrunk"] = "Digest Mismatch.",
        ["attack:swa-second-range-moved"] = "Digest Mismatch.",
        ["attack:usf-contents-empty"] = "Unknown Validation Failure.",
        ["attack:usf-contents-zeros"] = "Unknown Validation Failure.",
        ["attack:usf-byterange-missing"] = "Signature has not yet been verified.",
        ["attack:usf-byterange-null"] = "Signature has not yet been verified.",
        ["attack:usf-byterange-zeros"] = "Digest Mismatch.",
        ["attack:usf-contents-garbage"] = "Unknown Validation Failure.",
        ["rule-p2:document-timestamp"] = "Signature has not yet been verified.", // pdfsig cannot check an ETSI.RFC3161 document time-stamp
    };

    /// <summary>Every fixture: an id, what it shows, and the verdict it deserves (checked against the test root).</summary>
    public static IEnumerable<(string Id, string Family, string Description, SignatureVerdict Expected, Func<byte[]> Build)> All()
    {
        foreach (var fixture in AttackCatalog.Fixtures)
        {
            yield return ($"attack:{fixture.Id}", fixture.Family, fixture.Description, fixture.Expected, fixture.Build);
        }
        foreach (var rule in ChangeCatalog.Rules)
        {
            var level = ChangeCatalog.Expected(rule, "P2");
            var expected = level > ChangeCatalog.Allowed("P2") ? SignatureVerdict.Modified : SignatureVerdict.Valid;
            yield return ($"rule-p2:{rule.Id}", "rule after P=2", rule.Change, expected, () => rule.Apply(ChangeCatalog.Sign(rule, "P2")));
        }
    }

    [SkippableFact]
    public async Task Pdfsig_answers_as_recorded_on_every_fixture_and_docengine_as_each_deserves()
    {
        SignedPdfTools.Require("pdfsig");
        var export = Environment.GetEnvironmentVariable("DOCENGINE_SIGNATURE_FIXTURES");
        var manifest = new StringBuilder("file\tid\tfamily\tdescription\texpected\n");
        var differences = new List<string>();
        var (pdfsigRight, oursRight, total) = (0, 0, 0);
        foreach (var (id, family, description, expected, build) in All())
        {
            var bytes = build();
            var pdfsig = Summary(SignedPdfTools.Pdfsig(bytes));
            var report = await SignatureVerificationTests.VerifyAsync(bytes);

            var recorded = PdfsigDoesNotSayValid.GetValueOrDefault(id, "valid");
            if (pdfsig != recorded)
            {
                differences.Add($"{id}: pdfsig now says \"{pdfsig}\", recorded \"{recorded}\"");
            }
            if (report.Verdict != expected)
            {
                differences.Add($"{id}: DocEngine says {report.Verdict}, the fixture deserves {expected} ({description})");
            }
            total++;
            oursRight += report.Verdict == expected ? 1 : 0;
            pdfsigRight += PdfsigRight(pdfsig, expected) ? 1 : 0;
            if (export is not null)
            {
                var file = id.Replace(':', '_') + ".pdf";
                Directory.CreateDirectory(export);
                await File.WriteAllBytesAsync(Path.Combine(export, file), bytes);
                manifest.Append(CultureInfo.InvariantCulture, $"{file}\t{id}\t{family}\t{description}\t{expected.ContractName()}\n");
            }
        }
        if (export is not null)
        {
            await File.WriteAllTextAsync(Path.Combine(export, "fixtures.tsv"), manifest.ToString());
            await File.WriteAllTextAsync(Path.Combine(export, "test-root.pem"), TestPki.Shared.RootPem);
        }

        Assert.True(differences.Count == 0, string.Join("\n", differences));
        Assert.Equal(total, oursRight);
        Assert.True(pdfsigRight < total, "pdfsig is right on every fixture: the fixtures no longer tell the tools apart");
    }

    /// <summary>
    /// "valid" when pdfsig finds signatures and calls every one "Signature is Valid."; "no signature" when it finds
    /// none it can check; else its words for the first signature that is not valid.
    /// </summary>
    internal static string Summary(string pdfsig)
    {
        var validations = pdfsig.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("- Signature Validation:", StringComparison.Ordinal))
            .Select(l => l["- Signature Validation:".Length..].Trim()).ToList();
        if (validations.Count == 0)
        {
            return "no signature";
        }
        return validations.FirstOrDefault(v => v != "Signature is Valid.") ?? "valid";
    }

    /// <summary>pdfsig is right when it calls valid exactly what deserves it (a forged, unsigned signature value must not be called valid).</summary>
    internal static bool PdfsigRight(string pdfsig, SignatureVerdict expected) => expected switch
    {
        SignatureVerdict.Valid or SignatureVerdict.ValidUntrusted => pdfsig == "valid",
        _ => pdfsig != "valid",
    };
}
