using DocEngine.Contract.V1;
using DocEngine.Core.Receipts;
using DocEngine.Server.Infrastructure;
using Grpc.Core;
using ReceiptService = DocEngine.Core.Receipts.ReceiptService;

namespace DocEngine.Server.Services;

/// <summary>ReceiptService: signed receipts and the public keys that check them, translated to and from the core.</summary>
public sealed class ReceiptGrpcService(ReceiptService receipts) : Contract.V1.ReceiptService.ReceiptServiceBase
{
    public override async Task<GetReceiptResponse> GetReceipt(GetReceiptRequest request, ServerCallContext context)
    {
        var name = request.Name.EndsWith("/receipt", StringComparison.Ordinal) ? request.Name[..^"/receipt".Length] : request.Name;
        var (applicationId, documentId) = ResourceNames.ParseDocument(name);
        var receipt = await receipts.GetOrIssueAsync(Callers.TenantOf(context), new DocumentKey(applicationId, documentId), context.CancellationToken);
        return new GetReceiptResponse { Receipt = receipt.ToProto() };
    }

    public override async Task<ListReceiptsResponse> ListReceipts(ListReceiptsRequest request, ServerCallContext context)
    {
        var applicationId = ResourceNames.ParseApplication(request.Parent, "parent");
        var tenant = Callers.TenantOf(context);
        await receipts.IssuePendingAsync(tenant, applicationId, context.CancellationToken);
        var page = await receipts.ListAsync(tenant, applicationId, request.PageSize, request.PageToken, context.CancellationToken);
        var response = new ListReceiptsResponse { NextPageToken = page.NextPageToken };
        response.Receipts.AddRange(page.Items.Select(r => r.ToProto()));
        return response;
    }

    public override Task<GetReceiptKeysResponse> GetReceiptKeys(GetReceiptKeysRequest request, ServerCallContext context)
    {
        var keys = receipts.Keys;
        var response = new GetReceiptKeysResponse { JwksJson = keys.JwkSet() };
        response.Keys.AddRange(keys.All.Select(k => new Contract.V1.ReceiptKey
        {
            KeyId = k.Id,
            Algorithm = "ES256",
            JwkJson = k.Jwk,
            PublicKeyPem = k.PublicKeyPem,
            Active = ReferenceEquals(k, keys.Active),
        }));
        return Task.FromResult(response);
    }
}
