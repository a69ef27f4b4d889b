using DocEngine.Core.Access;
using Grpc.Core;

namespace DocEngine.Server.Infrastructure;

/// <summary>
/// Who is calling, as authenticated: a tenant (an API key or an OIDC bearer token; <see cref="Grant"/> is null), or an
/// applicant holding a token for one application (<see cref="Grant"/> says which, and what it may do).
/// <see cref="Actor"/> is what the audit trail records: "key:{name}", "oidc:{subject}" or "token:{id}".
/// </summary>
public sealed record Caller(string Tenant, string Actor, AccessGrant? Grant)
{
    /// <summary>The applicant token's id, or empty for a tenant's own credentials.</summary>
    public string TokenId => Grant?.TokenId ?? "";
}

/// <summary>The caller of a call, as the authentication interceptor recorded it in the call's state.</summary>
public static class Callers
{
    private const string Key = "docengine.caller";

    /// <summary>The authenticated caller.</summary>
    public static Caller Of(ServerCallContext context) =>
        context.UserState.TryGetValue(Key, out var caller) ? (Caller)caller : throw new InvalidOperationException("The call was not authenticated.");

    /// <summary>The caller, or null for the calls that need no credentials (health, reflection).</summary>
    public static Caller? Find(ServerCallContext context) => context.UserState.TryGetValue(Key, out var caller) ? (Caller)caller : null;

    /// <summary>The tenant every store lookup of the call is scoped to.</summary>
    public static string TenantOf(ServerCallContext context) => Of(context).Tenant;

    internal static void Set(ServerCallContext context, Caller caller) => context.UserState[Key] = caller;
}
