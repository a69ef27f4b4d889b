using System.CommandLine;
using System.Globalization;
using DocEngine.Cli.Commands.Bench;
using DocEngine.Cli.Common;
using DocEngine.Contract.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace DocEngine.Cli.Commands;

/// <summary>
/// <c>docengine token create --application ID [--permissions upload,read] [--ttl 30m] [--json]</c> mints an applicant
/// access token (printed alone on stdout, so <c>T=$(docengine token create …)</c> works); <c>docengine token revoke ID</c>
/// (or <c>--application ID</c>, every live token of it) revokes. Both need the tenant's credentials.
/// </summary>
internal static class TokenCommand
{
    public static Command Create()
    {
        var application = new Option<string>("--application") { Description = "The application the token opens (it must exist)", Required = true };
        var permissions = new Option<string>("--permissions")
        {
            Description = "What the token allows there: upload, read, or upload,read (the default)",
            DefaultValueFactory = _ => "upload,read",
        };
        var ttl = new Option<string>("--ttl") { Description = "How long it lives, e.g. 30m (the default), 2h; at most the server's limit (24h by default)", DefaultValueFactory = _ => "30m" };
        var json = new Option<bool>("--json") { Description = "Print CreateAccessTokenResponse as proto3 JSON" };
        var create = new Command("create", "Mint an access token that opens one application, for an applicant's browser or a script.") { application, permissions, ttl, json };
        var server = ServerConnection.AddOptions(create);
        create.SetAction(async (parse, cancellationToken) =>
        {
            var request = new CreateAccessTokenRequest { Application = ApplicationName(parse.GetValue(application)!) };
            foreach (var name in parse.GetValue(permissions)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                request.Permissions.Add(name.ToLowerInvariant() switch
                {
                    "upload" => AccessPermission.Upload,
                    "read" => AccessPermission.Read,
                    _ => throw new CliFailure(ExitCodes.Usage, $"--permissions takes upload and read (comma-separated), not '{name}'."),
                });
            }
            if (!BenchSettings.TryParseDuration(parse.GetValue(ttl)!, out var lifetime) || lifetime <= TimeSpan.Zero)
            {
                throw new CliFailure(ExitCodes.Usage, "--ttl must be a duration such as 30m, 90s or 2h.");
            }
            request.Ttl = Duration.FromTimeSpan(lifetime);
            using var connection = ServerConnection.Open(parse, server);
            CreateAccessTokenResponse response;
            try
            {
                response = await new AccessService.AccessServiceClient(connection.Invoker).CreateAccessTokenAsync(request, cancellationToken: cancellationToken);
            }
            catch (RpcException e) when (e.StatusCode != StatusCode.Cancelled)
            {
                throw connection.Explain(e);
            }
            var token = response.AccessToken;
            await parse.InvocationConfiguration.Output.WriteLineAsync(parse.GetValue(json) ? Output.ToJson(response) : response.Token);
            await parse.InvocationConfiguration.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"Access token {token.Name["accessTokens/".Length..]} opens {token.Application} ({string.Join(", ", token.Permissions.Select(Describe))}) " +
                $"until {token.ExpireTime.ToDateTimeOffset():yyyy-MM-dd HH:mm:ss} UTC. Revoke it with: docengine token revoke {token.Name["accessTokens/".Length..]}"));
            return ExitCodes.Ok;
        });

        var id = new Argument<string?>("ID") { Description = "The token's id (or accessTokens/ID), as `token create` printed it", Arity = ArgumentArity.ZeroOrOne };
        var of = new Option<string?>("--application") { Description = "Revoke every live token of this application instead" };
        var revokeJson = new Option<bool>("--json") { Description = "Print RevokeAccessTokenResponse as proto3 JSON" };
        var revoke = new Command("revoke", "Revoke an access token (or all of an application's): every server node refuses it within seconds.") { id, of, revokeJson };
        var revokeServer = ServerConnection.AddOptions(revoke);
        revoke.SetAction(async (parse, cancellationToken) =>
        {
            var request = (parse.GetValue(id), parse.GetValue(of)) switch
            {
                ({ } one, null) => new RevokeAccessTokenRequest { Name = one.StartsWith("accessTokens/", StringComparison.Ordinal) ? one : "accessTokens/" + one },
                (null, { } all) => new RevokeAccessTokenRequest { Application = ApplicationName(all) },
                _ => throw new CliFailure(ExitCodes.Usage, "Name one token (docengine token revoke ID) or an application (--application ID), not both and not neither."),
            };
            using var connection = ServerConnection.Open(parse, revokeServer);
            RevokeAccessTokenResponse response;
            try
            {
                response = await new AccessService.AccessServiceClient(connection.Invoker).RevokeAccessTokenAsync(request, cancellationToken: cancellationToken);
            }
            catch (RpcException e) when (e.StatusCode != StatusCode.Cancelled)
            {
                throw connection.Explain(e);
            }
            var stdout = parse.InvocationConfiguration.Output;
            if (parse.GetValue(revokeJson))
            {
                await stdout.WriteLineAsync(Output.ToJson(response));
                return ExitCodes.Ok;
            }
            foreach (var token in response.AccessTokens)
            {
                await stdout.WriteLineAsync($"Revoked {token.Name} ({token.Application}).");
            }
            if (response.AccessTokens.Count == 0)
            {
                await stdout.WriteLineAsync($"{request.Application} had no live access token to revoke.");
            }
            return ExitCodes.Ok;
        });
        return new Command("token", "Mint and revoke applicant access tokens (one application, named permissions, minutes long).") { create, revoke };
    }

    private static string ApplicationName(string id) => id.StartsWith("applications/", StringComparison.Ordinal) ? id : "applications/" + id;

    private static string Describe(AccessPermission permission) => permission switch
    {
        AccessPermission.Upload => "upload",
        AccessPermission.Read => "read",
        _ => permission.ToString(),
    };
}
