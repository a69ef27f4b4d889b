extern alias server;

using DocEngine.Core.Storage;
using DocEngine.Core.Storage.Embedded;
using DocEngine.Tests.Infrastructure;
using Google.Rpc;
using Grpc.Core;
using ServerContract = server::DocEngine.Contract.V1;
using ServerSide = server::DocEngine.Server;

namespace DocEngine.Tests.Server;

/// <summary>The unit layer: service classes called directly with a test call context, and the one error mapping.</summary>
public sealed class ServiceUnitTests : IDisposable
{
    private readonly TempDirectory _data = new();

    [Fact]
    public async Task The_application_service_scopes_every_call_to_the_callers_tenant()
    {
        var store = await SqliteMetadataStore.OpenAsync(Path.Combine(_data.Path, "docengine.db"), CancellationToken.None);
        var service = new ServerSide.Services.ApplicationGrpcService(store, store, TimeProvider.System);

        var created = await service.CreateApplication(new ServerContract.CreateApplicationRequest { ApplicationId = "A-1" }, TestCallContext.For("tenant-1"));
        var got = await service.GetApplication(new ServerContract.GetApplicationRequest { Name = "applications/A-1" }, TestCallContext.For("tenant-1"));

        Assert.Equal("applications/A-1", created.Application.Name);
        Assert.Equal(created.Application.CreateTime, got.Application.CreateTime);
        var hidden = await Assert.ThrowsAsync<DocEngineException>(() =>
            service.GetApplication(new ServerContract.GetApplicationRequest { Name = "applications/A-1" }, TestCallContext.For("tenant-2")));
        Assert.Equal(ErrorKind.NotFound, hidden.Kind);
    }

    [Fact]
    public void A_refusal_maps_to_its_status_with_error_info_and_the_bad_field()
    {
        var refusal = new DocEngineException(ErrorKind.InvalidArgument, "SOME_REASON", "Do this instead.")
        {
            Field = "metadata.sha256",
            Details = new Dictionary<string, string> { ["current_offset"] = "42" },
        };

        var error = ServerSide.Infrastructure.ErrorInterceptor.ToRpcException(refusal);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal("Do this instead.", error.Status.Detail);
        var status = error.GetRpcStatus()!;
        Assert.Equal("SOME_REASON", status.GetDetail<ErrorInfo>()!.Reason);
        Assert.Equal("42", status.GetDetail<ErrorInfo>()!.Metadata["current_offset"]);
        Assert.Equal("metadata.sha256", Assert.Single(status.GetDetail<BadRequest>()!.FieldViolations).Field);
    }

    public void Dispose() => _data.Dispose();
}
