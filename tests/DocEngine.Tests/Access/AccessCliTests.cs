using System.Text.Json;
using DocEngine.Tests.Infrastructure;

namespace DocEngine.Tests.Access;

/// <summary>
/// `docengine token create|revoke`, and `--token` / DOCENGINE_TOKEN in place of the API key, against a real server
/// process: what a portal operator or a script types.
/// </summary>
[Collection(AccessServers.Collection)]
public sealed class AccessCliTests(AccessServers servers) : IDisposable
{
    private readonly TempDirectory _scratch = new();

    public void Dispose() => _scratch.Dispose();

    [Fact]
    public async Task A_minted_token_uploads_and_downloads_in_its_application_and_stops_working_once_revoked()
    {
        var (application, document) = await servers.NewApplicationWithDocumentAsync();
        var created = await Cli("token", "create", "--application", application, "--ttl", "15m", "--json");
        Assert.True(created.ExitCode == 0, created.ToString());
        using var json = JsonDocument.Parse(created.Stdout);
        var token = json.RootElement.GetProperty("token").GetString()!;
        var name = json.RootElement.GetProperty("accessToken").GetProperty("name").GetString()!;
        Assert.Contains("docengine token revoke", created.Stderr);

        // Without --application, an upload with the token goes into the token's application.
        var file = Path.Combine(_scratch.Path, "statement.bin");
        TestData.WriteFile(file, 40_000, seed: 75);
        var uploaded = await Cli("upload", file, "--token", token, "--json");
        Assert.True(uploaded.ExitCode == 0, uploaded.ToString());
        using (var line = JsonDocument.Parse(uploaded.Stdout))
        {
            Assert.Equal(application, line.RootElement.GetProperty("document").GetProperty("application").GetString());
        }

        // DOCENGINE_TOKEN works as --token does.
        var target = Path.Combine(_scratch.Path, "form.pdf");
        var downloaded = await CliProcess.RunAsync(_scratch.Path, new Dictionary<string, string> { ["DOCENGINE_TOKEN"] = token },
            "download", document.Name, "--out", target, "--server", servers.Node1.Url);
        Assert.True(downloaded.ExitCode == 0, downloaded.ToString());
        Assert.Equal(document.Sha256, TestData.Sha256OfFile(target));

        // A tenant-wide command with the token is refused (exit 4, the server refused the call).
        var (other, otherDocument) = await servers.NewApplicationWithDocumentAsync();
        var refused = await Cli("download", otherDocument.Name, "--out", Path.Combine(_scratch.Path, "other.pdf"), "--token", token);
        Assert.Equal(3, refused.ExitCode); // NOT_FOUND: as if it did not exist
        Assert.Contains("There is no document", refused.Stderr);
        Assert.NotEqual(application, other);

        var revoked = await Cli("token", "revoke", name["accessTokens/".Length..]);
        Assert.True(revoked.ExitCode == 0, revoked.ToString());
        Assert.Contains($"Revoked {name}", revoked.Stdout);
        var after = await Cli("download", document.Name, "--out", Path.Combine(_scratch.Path, "again.pdf"), "--token", token);
        Assert.Equal(4, after.ExitCode);
        Assert.Contains("revoked", after.Stderr);
    }

    [Fact]
    public async Task Token_commands_refuse_bad_usage_with_a_sentence()
    {
        var both = await Cli("token", "revoke", "abc", "--application", "x");
        Assert.Equal(2, both.ExitCode);
        var ttl = await Cli("token", "create", "--application", "x", "--ttl", "forever");
        Assert.Equal(2, ttl.ExitCode);
        Assert.Contains("--ttl", ttl.Stderr);
        var twoCredentials = await Cli("token", "create", "--application", "x", "--token", "t", "--api-key", "k");
        Assert.Equal(2, twoCredentials.ExitCode);
        var missing = await Cli("token", "create", "--application", "no-such-application");
        Assert.Equal(3, missing.ExitCode);
        Assert.Contains("create it first", missing.Stderr);
    }

    private Task<CliResult> Cli(params string[] arguments) =>
        CliProcess.RunAsync(_scratch.Path, [.. arguments, "--server", servers.Node1.Url]);
}
