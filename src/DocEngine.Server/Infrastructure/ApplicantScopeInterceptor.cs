using DocEngine.Contract.V1;
using DocEngine.Core.Access;
using DocEngine.Core.Storage;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Core.Interceptors;
using static DocEngine.Server.Infrastructure.ApplicantScope;

namespace DocEngine.Server.Infrastructure;

/// <summary>
/// Keeps an applicant token inside its one application, by the table in <see cref="ApplicantScope"/>: a tenant-wide or
/// unlisted call is PERMISSION_DENIED; a call without the permission it needs is PERMISSION_DENIED; a resource of any
/// other application is NOT_FOUND with the same sentence whether or not it exists, so nothing is learned about it.
/// A new upload with no application goes into the token's. Tenants' calls pass untouched.
/// </summary>
public sealed class ApplicantScopeInterceptor(IUploadSessionStore uploads) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        await CheckAsync(context, request as IMessage);
        return await continuation(request, context);
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        await CheckAsync(context, request as IMessage);
        await continuation(request, responseStream, context);
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        var grant = await CheckAsync(context, null);
        return await continuation(grant is null ? requestStream : new FirstMessageChecked<TRequest>(requestStream, m => CheckTargetsAsync(context, grant, m)), context);
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        var grant = await CheckAsync(context, null);
        await continuation(grant is null ? requestStream : new FirstMessageChecked<TRequest>(requestStream, m => CheckTargetsAsync(context, grant, m)), responseStream, context);
    }

    /// <summary>Checks the method and permission, and the request's names when it is a single message; returns the grant of an applicant caller.</summary>
    private async Task<AccessGrant?> CheckAsync(ServerCallContext context, IMessage? request)
    {
        if (Callers.Find(context)?.Grant is not { } grant)
        {
            return null; // a tenant, or a call without credentials (health, reflection)
        }
        var rule = For(context.Method);
        var method = context.Method[(context.Method.LastIndexOf('/') + 1)..];
        if (rule is null)
        {
            throw Denied("TENANT_CREDENTIALS_REQUIRED",
                $"{method} needs the portal's own credentials (its API key or OIDC token): an applicant token may only upload to and read its own application.");
        }
        if ((grant.Permissions & rule.Needs) != rule.Needs)
        {
            var missing = AccessPermissionNames.Format(rule.Needs & ~grant.Permissions);
            throw Denied("TOKEN_PERMISSION_MISSING",
                $"This access token does not allow {method} (it needs the '{missing}' permission): ask the portal for a token that includes it.");
        }
        if (request is not null)
        {
            await CheckTargetsAsync(context, grant, request);
        }
        return grant;
    }

    private async Task CheckTargetsAsync(ServerCallContext context, AccessGrant grant, IMessage request)
    {
        foreach (var target in For(context.Method)!.Targets(request))
        {
            switch (target.Kind)
            {
                case NameKind.NewUploadApplication when target.Value.Length == 0:
                    Fill(request, "applications/" + grant.ApplicationId);
                    break;
                case NameKind.Application or NameKind.NewUploadApplication:
                    var id = target.Value.StartsWith("applications/", StringComparison.Ordinal) ? target.Value["applications/".Length..] : target.Value;
                    if (target.Value.Length > 0 && id != grant.ApplicationId)
                    {
                        throw OtherApplication(target, id);
                    }
                    break;
                case NameKind.UnderApplication:
                    var parts = target.Value.Split('/');
                    if (parts is ["applications", var application, _, ..] && application != grant.ApplicationId)
                    {
                        throw OtherApplication(target, application);
                    }
                    break;
                case NameKind.Upload:
                    await CheckUploadAsync(context, grant, target);
                    break;
            }
        }
    }

    private async Task CheckUploadAsync(ServerCallContext context, AccessGrant grant, Target target)
    {
        var id = target.Value.StartsWith("uploads/", StringComparison.Ordinal) ? target.Value["uploads/".Length..] : target.Value;
        if (!Ids.IsValid(id))
        {
            return; // the service refuses a malformed name as INVALID_ARGUMENT
        }
        var upload = await uploads.GetUploadAsync(grant.Tenant, id, context.CancellationToken);
        if (upload?.ApplicationId != grant.ApplicationId)
        {
            // The same answer for an upload of another application as for one that does not exist.
            throw new DocEngineException(ErrorKind.NotFound, "UPLOAD_NOT_FOUND", $"There is no upload '{id}': check the name, or start a new upload.")
            { Field = target.Field };
        }
    }

    /// <summary>NOT_FOUND for anything in another application, worded as for a resource that does not exist (it may not).</summary>
    private static DocEngineException OtherApplication(Target target, string applicationId) => target.Kind == NameKind.UnderApplication
        ? new(ErrorKind.NotFound, "DOCUMENT_NOT_FOUND", $"There is no document '{target.Value}': check the name, or list the application's documents.") { Field = target.Field }
        : new(ErrorKind.NotFound, "APPLICATION_NOT_FOUND", $"There is no application '{applicationId}': check the name; your access token opens one application only.") { Field = target.Field };

    private static DocEngineException Denied(string reason, string sentence)
    {
        DocEngineMetrics.CallRefused(reason);
        return new DocEngineException(ErrorKind.PermissionDenied, reason, sentence);
    }

    private static void Fill(IMessage request, string application)
    {
        switch (request)
        {
            case CreateUploadSessionRequest create:
                (create.Metadata ??= new UploadMetadata()).Application = application;
                break;
            case UploadRequest { Start: { } start }:
                start.Application = application;
                break;
        }
    }

    /// <summary>A request stream whose first message is checked (and completed) before the service reads it.</summary>
    private sealed class FirstMessageChecked<T>(IAsyncStreamReader<T> inner, Func<IMessage, Task> check) : IAsyncStreamReader<T>
    {
        private bool _checked;

        public T Current => inner.Current;

        public async Task<bool> MoveNext(CancellationToken cancellationToken)
        {
            var more = await inner.MoveNext(cancellationToken);
            if (more && !_checked)
            {
                _checked = true;
                await check((IMessage)inner.Current!);
            }
            return more;
        }
    }
}
