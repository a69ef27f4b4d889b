using System.Diagnostics;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Npgsql;

namespace DocEngine.Tests.Infrastructure;

/// <summary>
/// A real cluster, started once for every test in the "Cluster" collection with deploy/cluster.sh (the script a newcomer
/// runs): a throwaway PostgreSQL, an all-in-one OpenStack Swift with s3api, three DocEngine nodes running this build, and
/// nginx in front. Where the Debian packages are missing (the test build installs them when it may), the tests say so
/// loudly and skip; under CI=true they fail instead.
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public const int Nodes = 3;
    public const string TenantBKey = "cluster-key-tenant-b";
    private readonly TempDirectory _directory = new();
    private readonly Dictionary<string, string> _env = new(StringComparer.Ordinal);
    private string? _missing;

    /// <summary>The cluster's directory (logs under nodes/N/node.log, swift/run/, postgres/server.log, balancer/).</summary>
    public string Directory => _directory.Path;

    /// <summary>The balancer's gRPC address.</summary>
    public string Server => _env["DOCENGINE_SERVER"];

    /// <summary>The balancer's HTTP/1.1 address (the page, gRPC-Web).</summary>
    public string Web => _env["DOCENGINE_WEB"];

    /// <summary>The tenant key the script generated.</summary>
    public string ApiKey => _env["DOCENGINE_API_KEY"];

    /// <summary>The cluster's PostgreSQL (database docengine).</summary>
    public string Postgres => _env["DOCENGINE_POSTGRES"];

    /// <summary>The S3 endpoint (credentials test:tester / testing).</summary>
    public string S3Url => _env["DOCENGINE_S3_URL"];

    public async Task InitializeAsync()
    {
        _missing = Missing();
        if (_missing is not null)
        {
            return;
        }
        var result = await RunAsync(TimeSpan.FromMinutes(4), "start", Directory, "--nodes", Nodes.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--set", $"DocEngine:ApiKeys:1:Key={TenantBKey}", "--set", "DocEngine:ApiKeys:1:Tenant=cluster-b",
            "--set", "DocEngine:Batches:LeaseDuration=00:00:06", "--set", "DocEngine:Batches:Concurrency=2",
            "--set", "DocEngine:Uploads:SessionLockWait=00:00:05");
        foreach (var line in result.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (line.StartsWith("DOCENGINE_", StringComparison.Ordinal) && equals > 0)
            {
                _env[line[..equals]] = line[(equals + 1)..].Trim('\'');
            }
        }
        Assert.True(_env.ContainsKey("DOCENGINE_SERVER"), "cluster.sh start printed no DOCENGINE_SERVER line:\n" + result);
        Assert.EndsWith("DOCENGINE_SERVER=" + Server, result.TrimEnd());
    }

    public async Task DisposeAsync()
    {
        if (_missing is null && File.Exists(Path.Combine(Directory, "cluster.env")))
        {
            await RunAsync(TimeSpan.FromMinutes(2), "stop", Directory);
        }
        _directory.Dispose();
    }

    /// <summary>Skips the test loudly (fails under CI) when the machine cannot run the cluster.</summary>
    public void RequireOrSkip()
    {
        if (_missing is null)
        {
            return;
        }
        var message = $"CLUSTER TESTS SKIPPED: {_missing} (the test build installs postgresql, swift, memcached and nginx when it may).";
        Assert.False(Environment.GetEnvironmentVariable("CI") == "true", message + " Under CI this is a failure.");
        Console.Error.WriteLine("*** " + message + " ***");
        Skip.If(true, message);
    }

    /// <summary>A call invoker through the balancer.</summary>
    public CallInvoker Invoker(string? apiKey = null) => Channel(Server).Intercept(headers =>
    {
        headers.Add("authorization", "Bearer " + (apiKey ?? ApiKey));
        return headers;
    });

    /// <summary>A call invoker straight to node <paramref name="node"/> (1-based), past the balancer; the tenant key unless given a credential (an applicant token).</summary>
    public CallInvoker NodeInvoker(int node, string? credential = null) => Channel(NodeUrl(node)).Intercept(headers =>
    {
        headers.Add("authorization", "Bearer " + (credential ?? ApiKey));
        return headers;
    });

    /// <summary>Node <paramref name="node"/>'s own gRPC address.</summary>
    public string NodeUrl(int node) =>
        File.ReadLines(Path.Combine(Directory, "nodes", node.ToString(System.Globalization.CultureInfo.InvariantCulture), "env"))
            .Single(l => l.StartsWith("Kestrel__Endpoints__Grpc__Url=", StringComparison.Ordinal)).Split('=', 2)[1];

    public Task KillNodeAsync(int node) => RunAsync(TimeSpan.FromSeconds(30), "kill-node", Directory, node.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public Task StartNodeAsync(int node) => RunAsync(TimeSpan.FromMinutes(2), "start-node", Directory, node.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public Task RestartPostgresAsync() => RunAsync(TimeSpan.FromMinutes(1), "restart-postgres", Directory);

    public Task StopS3Async() => RunAsync(TimeSpan.FromMinutes(1), "stop-s3", Directory);

    public Task StartS3Async() => RunAsync(TimeSpan.FromMinutes(2), "start-s3", Directory);

    /// <summary>A new empty database on the cluster's PostgreSQL, for a test that needs one to itself.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = "t" + Guid.NewGuid().ToString("n");
        await using (var connection = new NpgsqlConnection(Postgres))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name};", connection);
            await create.ExecuteNonQueryAsync();
        }
        return new NpgsqlConnectionStringBuilder(Postgres) { Database = name }.ConnectionString;
    }

    /// <summary>The S3 settings for a bucket of its own.</summary>
    public DocEngine.Core.Storage.S3.S3Options S3(string bucket) => new()
    {
        ServiceUrl = S3Url,
        Bucket = bucket,
        AccessKey = "test:tester",
        SecretKey = "testing",
    };

    /// <summary>The log of node <paramref name="node"/>, for failure messages.</summary>
    public string NodeLog(int node) =>
        File.ReadAllText(Path.Combine(Directory, "nodes", node.ToString(System.Globalization.CultureInfo.InvariantCulture), "node.log"));

    private static GrpcChannel Channel(string address) => GrpcChannel.ForAddress(address, new GrpcChannelOptions
    {
        HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true, InitialHttp2StreamWindowSize = 8 << 20 },
        MaxReceiveMessageSize = 16 << 20,
        MaxSendMessageSize = 16 << 20,
    });

    private static string? Missing()
    {
        foreach (var (command, package) in new[] { ("swift-proxy-server", "swift-proxy"), ("memcached", "memcached"), ("nginx", "nginx"), ("python3", "python3") })
        {
            if (!OnPath(command))
            {
                return $"{command} not found (Debian package {package})";
            }
        }
        return System.IO.Directory.Exists("/usr/lib/postgresql") ? null : "PostgreSQL's server not found (Debian package postgresql)";
    }

    private static bool OnPath(string command) => (Environment.GetEnvironmentVariable("PATH") ?? "")
        .Split(':', StringSplitOptions.RemoveEmptyEntries).Concat(["/usr/sbin", "/sbin"]).Any(d => File.Exists(Path.Combine(d, command)));

    private static async Task<string> RunAsync(TimeSpan timeout, params string[] arguments)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(RepoPaths.Root, "deploy", "cluster.sh"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["DOCENGINE_SERVER_DLL"] = RepoPaths.ServerDll;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"cluster.sh {string.Join(' ', arguments)} took longer than {timeout}:\n{await stderr}");
        }
        Assert.True(process.ExitCode == 0, $"cluster.sh {string.Join(' ', arguments)} exited {process.ExitCode}:\n{await stdout}\n{await stderr}");
        return await stdout;
    }
}

/// <summary>Every test that uses the shared cluster; they run one at a time, since some of them kill nodes or stop stores.</summary>
[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "Cluster";
}
