using DocEngine.Contract.V1;
using DocEngine.Core.Access;
using DocEngine.Server.Infrastructure;
using Grpc.Core;

namespace DocEngine.Server.Services;

/// <summary>AccessService: applicant tokens minted and revoked for the caller's tenant (applicant tokens are refused before reaching here).</summary>
public sealed class AccessGrpcService(AccessTokens tokens) : AccessService.AccessServiceBase
{
    public override async Task<CreateAccessTokenResponse> CreateAccessToken(CreateAccessTokenRequest request, ServerCallContext context)
    {
        var caller = Callers.Of(context);
        var applicationId = ResourceNames.ParseApplication(request.Application, "application");
        var permissions = AccessPermissions.None;
        foreach (var permission in request.Permissions)
        {
            permissions |= permission switch
            {
                AccessPermission.Upload => AccessPermissions.Upload,
                AccessPermission.Read => AccessPermissions.Read,
                _ => throw new DocEngineException(ErrorKind.InvalidArgument, "UNKNOWN_PERMISSION",
                    "Each permission must be ACCESS_PERMISSION_UPLOAD or ACCESS_PERMISSION_READ (none: both).") { Field = "permissions" },
            };
        }
        TimeSpan? ttl = null;
        if (request.Ttl is { } duration)
        {
            try
            {
                ttl = duration.ToTimeSpan();
            }
            catch (InvalidOperationException)
            {
                throw new DocEngineException(ErrorKind.InvalidArgument, "INVALID_TTL", "The ttl is not a valid duration: give seconds and nanos of the same sign.") { Field = "ttl" };
            }
        }
        var (record, token) = await tokens.CreateAsync(caller.Tenant, applicationId, permissions, ttl, caller.Actor, context.CancellationToken);
        return new CreateAccessTokenResponse { AccessToken = record.ToProto(), Token = token };
    }

    public override async Task<RevokeAccessTokenResponse> RevokeAccessToken(RevokeAccessTokenRequest request, ServerCallContext context)
    {
        var caller = Callers.Of(context);
        var revoked = request.TargetCase switch
        {
            RevokeAccessTokenRequest.TargetOneofCase.Name => await tokens.RevokeAsync(caller.Tenant, ResourceNames.ParseAccessToken(request.Name), caller.Actor, context.CancellationToken),
            RevokeAccessTokenRequest.TargetOneofCase.Application => await tokens.RevokeApplicationAsync(caller.Tenant,
                ResourceNames.ParseApplication(request.Application, "application"), caller.Actor, context.CancellationToken),
            _ => throw new DocEngineException(ErrorKind.InvalidArgument, "REVOKE_TARGET_MISSING",
                "Name what to revoke: a token's name (\"accessTokens/{id}\") or an application (\"applications/{id}\") for all of its tokens.") { Field = "name" },
        };
        var response = new RevokeAccessTokenResponse();
        response.AccessTokens.AddRange(revoked.Select(t => t.ToProto()));
        return response;
    }
}
