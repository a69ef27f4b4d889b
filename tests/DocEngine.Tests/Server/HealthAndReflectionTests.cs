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
