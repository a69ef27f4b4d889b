extern alias cli;

using DocEngine.Contract.V1;
using DocEngine.Tests.Infrastructure;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using ServerConnection = cli::DocEngine.Cli.Common.ServerConnection;
using CliCredential = cli::DocEngine.Cli.Common.Credential;

namespace DocEngine.Tests.Access;

/// <summary>
/// Minting on the server's own clock, in process: a token lives 30 minutes unless asked otherwise and is refused after;
/// a lifetime out of bounds or an unknown application is refused with a sentence; the CLI's channel waits out a rate
/// limit instead of failing.
/// </summary>
public sealed class AccessTokenServiceTests(RateLimitedFactory factory) : IClassFixture<RateLimitedFactory>
{
    [Fact]
    public async Task A_token_lives_thirty_minutes_by_default_and_is_refused_after()
    {
        var application = await NewApplicationAsync();
        var minted = await Access().CreateAccessTokenAsync(new CreateAccessTokenRequest { Application = application });
        Assert.Equal(TimeSpan.FromMinutes(30), minted.AccessToken.ExpireTime.ToDateTimeOffset() - minted.AccessToken.CreateTime.ToDateTimeOffset());
        Assert.Equal([AccessPermission.Upload, AccessPermission.Read], minted.AccessToken.Permissions);
        var applications = new ApplicationService.ApplicationServiceClient(factory.Invoker(minted.Token));
        await applications.GetApplicationAsync(new GetApplicationRequest { Name = application });

        factory.Time.Advance(TimeSpan.FromMinutes(31));

        var info = await Clients.AssertRefusedAsync(StatusCode.Unauthenticated, "TOKEN_EXPIRED", () =>
            applications.GetApplicationAsync(new GetApplicationRequest { Name = application }).ResponseAsync);
        Assert.NotNull(info);
    }

    [Fact]
    public async Task A_lifetime_out_of_bounds_an_unknown_permission_or_a_missing_application_is_refused()
    {
        var application = await NewApplicationAsync();
        foreach (var ttl in new[] { TimeSpan.FromSeconds(30), TimeSpan.FromHours(25) })
        {
            await Clients.AssertRefusedAsync(StatusCode.OutOfRange, "TOKEN_LIFETIME_OUT_OF_RANGE", () => Access()
                .CreateAccessTokenAsync(new CreateAccessTokenRequest { Application = application, Ttl = Duration.FromTimeSpan(ttl) }).ResponseAsync);
        }
        await Clients.AssertRefusedAsync(StatusCode.InvalidArgument, "UNKNOWN_PERMISSION", () => Access()
            .CreateAccessTokenAsync(new CreateAccessTokenRequest { Application = application, Permissions = { AccessPermission.Unspecified } }).ResponseAsync);
        await Clients.AssertRefusedAsync(StatusCode.NotFound, "APPLICATION_NOT_FOUND", () => Access()
            .CreateAccessTokenAsync(new CreateAccessTokenRequest { Application = "applications/never-created" }).ResponseAsync);
        await Clients.AssertRefusedAsync(StatusCode.InvalidArgument, "REVOKE_TARGET_MISSING", () => Access()
            .RevokeAccessTokenAsync(new RevokeAccessTokenRequest()).ResponseAsync);
    }

    [Fact]
    public async Task The_clis_channel_backs_off_and_retries_when_a_token_is_rate_limited()
    {
        var application = await NewApplicationAsync();
        var document = await Clients.UploadStreamingAsync(factory.Invoker(), TestData.Bytes(4000, seed: 76), application: application);
        var token = (await Access().CreateAccessTokenAsync(new CreateAccessTokenRequest { Application = application })).Token;

        // Without retries, a burst three times the token's allowance is partly refused...
        using (var bare = ServerConnection.Open(factory.GrpcUrl, new CliCredential(token, IsToken: true), retryWhenRateLimited: false))
        {
            var results = await Task.WhenAll(Enumerable.Range(0, 3 * RateLimitedFactory.TokenBurst).Select(_ => Outcome(bare.Invoker, document.Name)));
            Assert.Contains(StatusCode.ResourceExhausted, results);
        }
        // ...and with the CLI's channel every call gets through, unary and streaming, by waiting as the server asks.
        using var connection = ServerConnection.Open(factory.GrpcUrl, new CliCredential(token, IsToken: true));
        var retried = await Task.WhenAll(Enumerable.Range(0, 3 * RateLimitedFactory.TokenBurst).Select(_ => Outcome(connection.Invoker, document.Name)));
        Assert.All(retried, status => Assert.Equal(StatusCode.OK, status));
        var bytes = await Task.WhenAll(Enumerable.Range(0, 2 * RateLimitedFactory.TokenBurst).Select(_ => Clients.DownloadAsync(connection.Invoker, document.Name)));
        Assert.All(bytes, b => Assert.Equal(4000, b.Length));
    }

    private static async Task<StatusCode> Outcome(CallInvoker invoker, string name)
    {
        try
        {
            await new DocumentService.DocumentServiceClient(invoker).GetDocumentAsync(new GetDocumentRequest { Name = name });
            return StatusCode.OK;
        }
        catch (RpcException e)
        {
            return e.StatusCode;
        }
    }

    private AccessService.AccessServiceClient Access() => new(factory.Invoker());

    private async Task<string> NewApplicationAsync() =>
        (await new ApplicationService.ApplicationServiceClient(factory.Invoker()).CreateApplicationAsync(new CreateApplicationRequest())).Application.Name;
}

/// <summary>The server on Kestrel with a small per-token rate limit: 10 calls a second, 5 at once.</summary>
public sealed class RateLimitedFactory() : DocEngineFactory(new Dictionary<string, string?>
{
    ["DocEngine:Limits:TokenRequestsPerSecond"] = "10",
    ["DocEngine:Limits:TokenBurst"] = TokenBurst.ToString(System.Globalization.CultureInfo.InvariantCulture),
}, kestrel: true)
{
    public const int TokenBurst = 5;
}
