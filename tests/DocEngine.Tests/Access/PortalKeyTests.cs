using System.Net.Http.Json;
using DocEngine.Tests.Infrastructure;

namespace DocEngine.Tests.Access;

/// <summary>Outside Development the portal page never holds a tenant key: the server refuses one at start, and hands the page none.</summary>
public sealed class PortalKeyTests : IDisposable
{
    private readonly TempDirectory _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task A_portal_api_key_outside_development_stops_the_server_at_start_with_a_sentence()
    {
        var (exitCode, output) = await ServerProcess.RunUntilExitAsync(_data.Path, new Dictionary<string, string>
        {
            ["DocEngine:Portal:Enabled"] = "true",
            ["DocEngine:Portal:ApiKey"] = ServerProcess.TenantBKey,
        }, environmentName: "Production");
        Assert.NotEqual(0, exitCode);
        Assert.Contains("DocEngine:Portal:ApiKey hands a tenant API key to every visitor", output);
        Assert.Contains("?token=", output);
    }

    [Fact]
    public async Task Outside_development_the_page_is_given_no_key()
    {
        await using var server = await ServerProcess.StartAsync(_data.Path, settings: new Dictionary<string, string>
        {
            ["DocEngine:Portal:Enabled"] = "true",
            ["DocEngine:Portal:TokenUrl"] = "https://portal.example/docengine-token",
        }, environmentName: "Production");
        using var http = new HttpClient();
        var config = await http.GetFromJsonAsync<Dictionary<string, object?>>(server.WebUrl + "/config.json");
        Assert.Null(config!["apiKey"]);
        Assert.Equal("False", config["development"]!.ToString(), ignoreCase: true);
        Assert.Equal("https://portal.example/docengine-token", config["tokenUrl"]!.ToString());
        var page = await http.GetAsync(server.WebUrl + "/");
        // The page may call the portal's back end for a token, and nothing else outside its origin.
        Assert.Contains("connect-src 'self' https://portal.example;", page.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal("no-referrer", page.Headers.GetValues("Referrer-Policy").Single());
    }
}
