using DocEngine.Contract.V1;
using DocEngine.Core.Processing;
using DocEngine.Core.Signatures;
using DocEngine.Server.Infrastructure;
using Grpc.Core;
using SignatureService = DocEngine.Contract.V1.SignatureService;

namespace DocEngine.Server.Services;

/// <summary>SignatureService: verifies a stored document's signatures, translated to and from the core.</summary>
public sealed class SignatureGrpcService(StoredSignatureVerifier verifier) : SignatureService.SignatureServiceBase
{
    public override async Task<VerifySignaturesResponse> VerifySignatures(VerifySignaturesRequest request, ServerCallContext context)
    {
        var (applicationId, documentId) = ResourceNames.ParseDocument(request.Name);
        DocumentKey? signed = null;
        if (request.SignedDocument is { Length: > 0 } signedName)
        {
            var (signedApplication, signedDocument) = ResourceNames.ParseDocument(signedName, "signed_document");
            signed = new DocumentKey(signedApplication, signedDocument);
        }
        TrustAnchors? extra = null;
        if (request.TrustAnchorsPem.Count > 0)
        {
            try
            {
                extra = new TrustAnchors(request.TrustAnchorsPem.SelectMany((pem, i) => TrustAnchors.Parse(System.Text.Encoding.ASCII.GetBytes(pem), $"trust_anchors_pem[{i}]")));
            }
            catch (DocEngineException e)
            {
                throw new DocEngineException(e.Kind, e.Reason, e.Message) { Field = "trust_anchors_pem" };
            }
        }
        var report = await verifier.VerifyAsync(Callers.TenantOf(context), new DocumentKey(applicationId, documentId), signed,
            request.Password is "" ? null : request.Password, extra, context.CancellationToken);
        return new VerifySignaturesResponse { Report = report.ToProto() };
    }
}
