using DocEngine.Contract.V1;
using DocEngine.Core.Storage;
using DocEngine.Server.Infrastructure;
using Grpc.Core;

namespace DocEngine.Server.Services;

/// <summary>ApplicationService: translates the contract to the application store, scoped to the caller's tenant.</summary>
public sealed class ApplicationGrpcService(IApplicationStore applications, IApplicationEventStore history, TimeProvider time) : ApplicationService.ApplicationServiceBase
{
    public override async Task<ListApplicationEventsResponse> ListApplicationEvents(ListApplicationEventsRequest request, ServerCallContext context)
    {
        var applicationId = ResourceNames.ParseApplication(request.Parent, "parent");
        var tenant = Callers.TenantOf(context);
        _ = await applications.GetApplicationAsync(tenant, applicationId, context.CancellationToken) ?? throw NotFound(applicationId);
        var events = await history.ListApplicationEventsAsync(tenant, applicationId, context.CancellationToken);
        // The timeline is rebuilt from stored history on each call; the token is the index of the next event.
        var size = request.PageSize is > 0 and <= 1000 ? request.PageSize : 100;
        var start = 0;
        if (request.PageToken is { Length: > 0 } token && (!int.TryParse(token, System.Globalization.CultureInfo.InvariantCulture, out start) || start < 0))
        {
            throw new DocEngineException(ErrorKind.InvalidArgument, "INVALID_PAGE_TOKEN",
                "The page_token is not one this listing issued: pass the next_page_token from the previous page, or leave it empty for the first page.") { Field = "page_token" };
        }
        var response = new ListApplicationEventsResponse
        {
            NextPageToken = start + size < events.Count ? (start + size).ToString(System.Globalization.CultureInfo.InvariantCulture) : "",
        };
        response.Events.AddRange(events.Skip(start).Take(size).Select(e => e.ToProto()));
        return response;
    }

    public override async Task<CreateApplicationResponse> CreateApplication(CreateApplicationRequest request, ServerCallContext context)
    {
        var id = request.ApplicationId is "" ? Ids.New() : request.ApplicationId;
        if (!Ids.IsValid(id))
        {
            throw new DocEngineException(ErrorKind.InvalidArgument, "INVALID_APPLICATION_ID",
                "The application_id must be 1 to 64 letters, digits, '.', '_' or '-': choose another, or leave it empty for a generated one.")
            { Field = "application_id" };
        }
        if (request.DisplayName.Length > 256)
        {
            throw new DocEngineException(ErrorKind.InvalidArgument, "DISPLAY_NAME_TOO_LONG",
                "The display_name may be at most 256 characters: shorten it.")
            { Field = "display_name" };
        }
        var created = await applications.CreateApplicationAsync(Callers.TenantOf(context), id, request.DisplayName, time.GetUtcNow(), context.CancellationToken);
        return new CreateApplicationResponse { Application = created.ToProto() };
    }

    public override async Task<GetApplicationResponse> GetApplication(GetApplicationRequest request, ServerCallContext context)
    {
        var id = ResourceNames.ParseApplication(request.Name);
        var application = await applications.GetApplicationAsync(Callers.TenantOf(context), id, context.CancellationToken) ?? throw NotFound(id);
        return new GetApplicationResponse { Application = application.ToProto() };
    }

    public override async Task<ListApplicationsResponse> ListApplications(ListApplicationsRequest request, ServerCallContext context)
    {
        var page = await applications.ListApplicationsAsync(Callers.TenantOf(context), request.PageSize, request.PageToken, context.CancellationToken);
        return new ListApplicationsResponse { Applications = { page.Items.Select(a => a.ToProto()) }, NextPageToken = page.NextPageToken };
    }

    public override async Task<SubmitApplicationResponse> SubmitApplication(SubmitApplicationRequest request, ServerCallContext context)
    {
        var id = ResourceNames.ParseApplication(request.Name);
        var application = await applications.SubmitApplicationAsync(Callers.TenantOf(context), id, time.GetUtcNow(), context.CancellationToken) ?? throw NotFound(id);
        return new SubmitApplicationResponse { Application = application.ToProto() };
    }

    internal static DocEngineException NotFound(string id) => new(ErrorKind.NotFound, "APPLICATION_NOT_FOUND",
        $"There is no application '{id}': check the name, or list your applications.")
    { Field = "name" };
}
