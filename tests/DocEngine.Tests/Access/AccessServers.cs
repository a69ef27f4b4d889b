using System.Security.Claims;
using System.Security.Cryptography;
using DocEngine.Contract.V1;
using DocEngine.Tests.Infrastructure;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Data.Sqlite;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace DocEngine.Tests.Access;

/// <summary>
/// A real server process with small rate limits, a short header timeout, a test OIDC issuer, and a third tenant to flood
/// with. Shared by the access tests (collection <see cref="Collection"/>): starting processes is the slow part. (The
/// embedded store is one node's: a second node needs the PostgreSQL provider of the scale-out issue; until then the
/// revocation test writes to the shared store as another node would.)
/// </summary>
public sealed class AccessServers : IAsyncLifetime
{
    public const string Collection = "Access servers";
    public const string DevelopmentKey = "docengine-development-key";
    public const string FloodKey = "process-key-tenant-c";
    public const string FloodTenant = "process-tenant-c";
    public const int TokenRate = 4;
    public const int TokenBurst = 40;
    public const int TenantRate = 30;
    public const int TenantBurst = 60;
    public static readonly TimeSpan HeadersTimeout = TimeSpan.FromSeconds(2);

    private readonly TempDirectory _data = new();

    public ServerProcess Node1 { get; private set; } = null!;

    public TestIssuer Issuer { get; } = new();

    public string DataDirectory => _data.Path;

    public async Task InitializeAsync()
    {
        var jwks = Path.Combine(_data.Path, "issuer-jwks.json");
        await File.WriteAllTextAsync(jwks, Issuer.JwksJson);
        var settings = new Dictionary<string, string>
        {
            ["DocEngine:ApiKeys:2:Key"] = FloodKey,
            ["DocEngine:ApiKeys:2:Tenant"] = FloodTenant,
            ["DocEngine:ApiKeys:2:Name"] = "flooder",
            ["DocEngine:Limits:TokenRequestsPerSecond"] = TokenRate.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["DocEngine:Limits:TokenBurst"] = TokenBurst.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["DocEngine:Limits:TenantRequestsPerSecond"] = TenantRate.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["DocEngine:Limits:TenantBurst"] = TenantBurst.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Kestrel:Limits:RequestHeadersTimeout"] = HeadersTimeout.ToString(),
            ["Kestrel:Limits:Http2:MaxStreamsPerConnection"] = "32",
            ["DocEngine:Oidc:Issuer"] = TestIssuer.IssuerName,
            ["DocEngine:Oidc:Audience"] = TestIssuer.Audience,
            ["DocEngine:Oidc:TenantClaim"] = "org",
            ["DocEngine:Oidc:JwksFile"] = Path.GetFullPath(jwks),
            ["DocEngine:Access:RevocationRefreshInterval"] = "00:00:01",
        };
        Node1 = await ServerProcess.StartAsync(_data.Path, settings: settings);
    }

    public async Task DisposeAsync()
    {
        if (Node1 is not null)
        {
            await Node1.DisposeAsync();
        }
        _data.Dispose();
    }

    /// <summary>A new application of the Development tenant with one uploaded PDF in it.</summary>
    public async Task<(string Application, Document Document)> NewApplicationWithDocumentAsync(string? id = null)
    {
        var tenant = Node1.Invoker(DevelopmentKey);
        var application = (await new ApplicationService.ApplicationServiceClient(tenant)
            .CreateApplicationAsync(new CreateApplicationRequest { ApplicationId = id ?? "" })).Application.Name;
        var document = await Clients.UploadStreamingAsync(tenant, Infrastructure.SignedPdfs.FormPdf.Create().Bytes, application: application, filename: "form.pdf");
        return (application, document);
    }

    /// <summary>Mints an applicant token for <paramref name="application"/> with the Development key.</summary>
    public async Task<CreateAccessTokenResponse> MintAsync(string application, params AccessPermission[] permissions)
    {
        var request = new CreateAccessTokenRequest { Application = application, Ttl = Duration.FromTimeSpan(TimeSpan.FromMinutes(10)) };
        request.Permissions.AddRange(permissions);
        return await new AccessService.AccessServiceClient(Node1.Invoker(DevelopmentKey)).CreateAccessTokenAsync(request);
    }

    /// <summary>Revokes a token by writing to the metadata store directly, as another node sharing it would.</summary>
    public void RevokeAsAnotherNode(string tokenId)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(_data.Path, "docengine.db")};Pooling=False;Default Timeout=30");
        connection.Open();
        using var update = connection.CreateCommand();
        update.CommandText = "UPDATE access_tokens SET revoke_time = $now WHERE id = $id;";
        update.Parameters.AddWithValue("$now", (DateTimeOffset.UtcNow.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10);
        update.Parameters.AddWithValue("$id", tokenId);
        Assert.Equal(1, update.ExecuteNonQuery());
    }

    /// <summary>The access-token signing key the node stored in the metadata store (to forge tokens a test needs).</summary>
    public ECDsaSecurityKey StoredSigningKey()
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(_data.Path, "docengine.db")};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var select = connection.CreateCommand();
        select.CommandText = "SELECT pem FROM signing_keys WHERE purpose = 'access-tokens' ORDER BY seq LIMIT 1;";
        var ecdsa = ECDsa.Create();
        ecdsa.ImportFromPem((string)select.ExecuteScalar()!);
        var key = new ECDsaSecurityKey(ecdsa);
        key.KeyId = Base64UrlEncoder.Encode(key.ComputeJwkThumbprint());
        return key;
    }
}

[CollectionDefinition(AccessServers.Collection)]
public sealed class AccessServersCollection : ICollectionFixture<AccessServers>;

/// <summary>A test OAuth2/OIDC issuer: a P-256 key published as a JWKS file, and bearer tokens signed with it.</summary>
public sealed class TestIssuer
{
    public const string IssuerName = "https://issuer.test";
    public const string Audience = "docengine-tests";

    private readonly ECDsaSecurityKey _key;

    public TestIssuer()
    {
        _key = new ECDsaSecurityKey(ECDsa.Create(ECCurve.NamedCurves.nistP256)) { KeyId = "test-issuer-1" };
        var jwk = JsonWebKeyConverter.ConvertFromECDsaSecurityKey(_key);
        jwk.Alg = SecurityAlgorithms.EcdsaSha256;
        jwk.Use = "sig";
        JwksJson = "{\"keys\":[" + System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["kty"] = jwk.Kty, ["crv"] = jwk.Crv, ["x"] = jwk.X, ["y"] = jwk.Y, ["kid"] = jwk.Kid, ["alg"] = jwk.Alg, ["use"] = jwk.Use,
        }) + "]}";
    }

    /// <summary>The public key as a JWK Set.</summary>
    public string JwksJson { get; }

    /// <summary>A bearer token; each argument overrides what a correct token carries (null claims are left out).</summary>
    public string Token(string? tenant = "process-tenant-b", string issuer = IssuerName, string audience = Audience, TimeSpan? lifetime = null,
        SecurityKey? signingKey = null)
    {
        var now = DateTime.UtcNow;
        var claims = new List<Claim> { new("sub", "portal-backend-service") };
        if (tenant is not null)
        {
            claims.Add(new Claim("org", tenant));
        }
        var expires = now + (lifetime ?? TimeSpan.FromMinutes(10));
        var issued = expires < now ? expires.AddMinutes(-10) : now.AddMinutes(-1);
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            IssuedAt = issued,
            NotBefore = issued,
            Expires = expires,
            Subject = new ClaimsIdentity(claims),
            SigningCredentials = new SigningCredentials(signingKey ?? _key, SecurityAlgorithms.EcdsaSha256),
        });
    }
}
