extern alias server;

using DocEngine.Tests.Infrastructure;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Reflection.V1Alpha;

namespace DocEngine.Tests.Server;

/// <summary>The standard health and reflection services answer without an API key, as load balancers and grpcurl expect.</summary>
public sealed class HealthAndReflectionTests(DocEngineFactory factory) : IClassFixture<DocEngineFactory>
{
    [Fact]
    public async Task Health_reports_serving()
    {
        var health = new Health.HealthClient(factory.Invoker(apiKey: null));
        var response = await health.CheckAsync(new HealthCheckRequest { Service = "" });
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, response.Status);
    }

    [Fact]
    public async Task Every_docengine_service_is_registered_in_health_by_its_full_name_and_reflection_agrees()
    {
        var health = new Health.HealthClient(factory.Invoker(apiKey: null));
        foreach (var service in server::DocEngine.Server.DocEngineServerExtensions.ServiceNames)
        {
            var response = await health.CheckAsync(new HealthCheckRequest { Service = service });
            Assert.True(response.Status == HealthCheckResponse.Types.ServingStatus.Serving, $"{service}: {response.Status}");
        }
        var error = await Assert.ThrowsAsync<RpcException>(() => health.CheckAsync(new HealthCheckRequest { Service = "docengine.v1.NoSuchService" }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, error.StatusCode);

        var reflection = new ServerReflection.ServerReflectionClient(factory.Invoker(apiKey: null));
        using var call = reflection.ServerReflectionInfo();
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext());
        var served = call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).Where(n => n.StartsWith("docengine.", StringComparison.Ordinal));
        Assert.Equal(served.Order(StringComparer.Ordinal), server::DocEngine.Server.DocEngineServerExtensions.ServiceNames.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_server_without_api_keys_reports_not_serving_and_says_why()
    {
        await using var keyless = new KeylessFactory();
        var health = new Health.HealthClient(keyless.Invoker(apiKey: null));
        var response = await health.CheckAsync(new HealthCheckRequest { Service = "" });
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, response.Status);
    }

    private sealed class KeylessFactory() : DocEngineFactory(new Dictionary<string, string?>
    {
        ["DocEngine:ApiKeys:0:Key"] = "",
        ["DocEngine:ApiKeys:1:Key"] = "",
    });

    [Fact]
    public async Task Reflection_lists_the_docengine_services()
    {
        var reflection = new ServerReflection.ServerReflectionClient(factory.Invoker(apiKey: null));
        using var call = reflection.ServerReflectionInfo();
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext());

        var services = call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToList();
        Assert.Contains("docengine.v1.UploadService", services);
        Assert.Contains("docengine.v1.ApplicationService", services);
        Assert.Contains("docengine.v1.DocumentService", services);
        Assert.Contains("grpc.health.v1.Health", services);
    }
}
