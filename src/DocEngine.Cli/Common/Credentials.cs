using System.CommandLine;
using System.Text;
using System.Text.Json;

namespace DocEngine.Cli.Common;

/// <summary>What a command sends as "authorization: Bearer …": a tenant's API key, or an applicant access token.</summary>
public sealed record Credential(string Value, bool IsToken)
{
    /// <summary>
    /// The application an access token opens ("applications/…", its "sub"), read without checking the signature (the
    /// server checks); null for an API key or a token that does not say.
    /// </summary>
    public string? TokenApplication
    {
        get
        {
            if (!IsToken || Value.Split('.') is not [_, var payload, _])
            {
                return null;
            }
            try
            {
                var json = Convert.FromBase64String(payload.Replace('-', '+').Replace('_', '/') + new string('=', (4 - payload.Length % 4) % 4));
                using var claims = JsonDocument.Parse(Encoding.UTF8.GetString(json));
                return claims.RootElement.TryGetProperty("sub", out var sub) && sub.GetString() is { } name && name.StartsWith("applications/", StringComparison.Ordinal)
                    ? name
                    : null;
            }
            catch (Exception e) when (e is FormatException or JsonException or InvalidOperationException)
            {
                return null;
            }
        }
    }
}

/// <summary>
/// The <c>--api-key</c> and <c>--token</c> options of a command that talks to a server, and which one wins: an option
/// given on the command line, then env DOCENGINE_TOKEN, then env DOCENGINE_API_KEY, then the Development key.
/// </summary>
public sealed class CredentialOptions
{
    private readonly Option<string?> _apiKey;
    private readonly Option<string?> _token;

    private CredentialOptions(Option<string?> apiKey, Option<string?> token)
    {
        _apiKey = apiKey;
        _token = token;
    }

    /// <summary>Adds both options to <paramref name="command"/>; <paramref name="purpose"/> ends their descriptions (e.g. " for --server").</summary>
    public static CredentialOptions AddTo(Command command, string purpose = "")
    {
        var apiKey = new Option<string?>("--api-key") { Description = $"The tenant's API key{purpose} (default: env DOCENGINE_API_KEY, else the Development key)" };
        var token = new Option<string?>("--token")
        {
            Description = $"An applicant access token{purpose}, in place of --api-key (default: env DOCENGINE_TOKEN); `docengine token create` mints one",
        };
        command.Add(apiKey);
        command.Add(token);
        return new CredentialOptions(apiKey, token);
    }

    /// <summary>The credential the parsed command line (or the environment) names.</summary>
    public Credential Resolve(ParseResult parse)
    {
        var (key, token) = (parse.GetValue(_apiKey), parse.GetValue(_token));
        if (key is not null && token is not null)
        {
            throw new CliFailure(ExitCodes.Usage, "Give --api-key or --token, not both: a call is made either as the tenant or as an applicant.");
        }
        return token is not null ? new Credential(token, IsToken: true)
            : key is not null ? new Credential(key, IsToken: false)
            : Environment.GetEnvironmentVariable("DOCENGINE_TOKEN") is { Length: > 0 } envToken ? new Credential(envToken, IsToken: true)
            : Environment.GetEnvironmentVariable("DOCENGINE_API_KEY") is { Length: > 0 } envKey ? new Credential(envKey, IsToken: false)
            : new Credential(ServerConnection.DevelopmentApiKey, IsToken: false);
    }
}
