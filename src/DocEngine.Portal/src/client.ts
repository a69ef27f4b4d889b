// The page's connection to DocEngine: gRPC-Web on the page's own origin, with the API key on every call, through
// clients generated from protos/ by protoc-gen-es (src/gen, made by the build).
import { ConnectError, createClient, type Interceptor } from "@connectrpc/connect";
import { createGrpcWebTransport } from "@connectrpc/connect-web";
import { ApplicationService } from "./gen/docengine/v1/applications_pb";
import { DocumentService } from "./gen/docengine/v1/documents_pb";
import { PreviewService } from "./gen/docengine/v1/previews_pb";
import { ProcessingService } from "./gen/docengine/v1/processing_pb";
import { ReceiptService } from "./gen/docengine/v1/receipts_pb";
import { SignatureService } from "./gen/docengine/v1/signatures_pb";
import { UploadService } from "./gen/docengine/v1/uploads_pb";

/** What the server says at /config.json (DocEngine:Portal). */
export interface PortalConfig {
  /** The key every visitor may use, or null: then the person types one. */
  apiKey: string | null;
  /** Bytes per AppendUploadChunk call. */
  chunkBytes: number;
  /** The size PDFs are compressed under. */
  targetBytes: number;
  /** Preview width in pixels. */
  previewWidth: number;
  /** The largest file the server accepts (DocEngine:Uploads:MaxUploadBytes). */
  maxUploadBytes: number;
}

export async function loadConfig(): Promise<PortalConfig> {
  const response = await fetch("config.json", { cache: "no-store" });
  if (!response.ok) {
    throw new Error(`The page's settings could not be read (HTTP ${response.status}); reload the page.`);
  }
  return (await response.json()) as PortalConfig;
}

export function connect(apiKey: () => string) {
  const authorize: Interceptor = (next) => async (request) => {
    const key = apiKey();
    if (key) {
      request.header.set("authorization", `Bearer ${key}`);
    }
    return await next(request);
  };
  const transport = createGrpcWebTransport({ baseUrl: location.origin, interceptors: [authorize] });
  return {
    applications: createClient(ApplicationService, transport),
    documents: createClient(DocumentService, transport),
    uploads: createClient(UploadService, transport),
    processing: createClient(ProcessingService, transport),
    previews: createClient(PreviewService, transport),
    signatures: createClient(SignatureService, transport),
    receipts: createClient(ReceiptService, transport),
  };
}

export type Clients = ReturnType<typeof connect>;

/** The one sentence to show a person: the server's own message for a refused call. */
export function sentence(error: unknown): string {
  const connectError = ConnectError.from(error);
  return connectError.rawMessage || connectError.message;
}
