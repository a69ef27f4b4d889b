// The page's connection to DocEngine: gRPC-Web on the page's own origin, with the page's credential on every call,
// through clients generated from protos/ by protoc-gen-es (src/gen, made by the build). A call the server refuses for
// its rate (RESOURCE_EXHAUSTED with google.rpc.RetryInfo) waits as long as the server says and goes again.
import { Code, ConnectError, createClient, type Interceptor } from "@connectrpc/connect";
import { createGrpcWebTransport } from "@connectrpc/connect-web";
import { createAsyncIterable } from "@connectrpc/connect/protocol";
import { BinaryReader } from "@bufbuild/protobuf/wire";
import { ApplicationService } from "./gen/docengine/v1/applications_pb";
import { DocumentService } from "./gen/docengine/v1/documents_pb";
import { PreviewService } from "./gen/docengine/v1/previews_pb";
import { ProcessingService } from "./gen/docengine/v1/processing_pb";
import { ReceiptService } from "./gen/docengine/v1/receipts_pb";
import { SignatureService } from "./gen/docengine/v1/signatures_pb";
import { UploadService } from "./gen/docengine/v1/uploads_pb";

/** What the server says at /config.json (DocEngine:Portal). */
export interface PortalConfig {
  /** The tenant key every visitor may use (Development only), or null. */
  apiKey: string | null;
  /** Whether the server runs in Development: only then may a person type a tenant key here. */
  development: boolean;
  /** The portal back end's endpoint that mints an applicant token ({"token": "..."}), or null. */
  tokenUrl: string | null;
  /** Bytes per AppendUploadChunk call. */
  chunkBytes: number;
  /** The size PDFs are compressed under. */
  targetBytes: number;
  /** Preview width in pixels. */
  previewWidth: number;
  /** The largest file the server accepts (DocEngine:Uploads:MaxUploadBytes). */
  maxUploadBytes: number;
}

/** Where the page's credential comes from: an applicant token (from a link or the portal back end), or a tenant key (Development). */
export interface Credential {
  /** The current value sent as "authorization: Bearer …"; empty when there is none yet. */
  value(): string;
  /** Gets a fresh applicant token after the current one expired; false when it cannot. */
  refresh(): Promise<boolean>;
}

export async function loadConfig(): Promise<PortalConfig> {
  const response = await fetch("config.json", { cache: "no-store" });
  if (!response.ok) {
    throw new Error(`The page's settings could not be read (HTTP ${response.status}); reload the page.`);
  }
  return (await response.json()) as PortalConfig;
}

/** Asks the portal's back end for an applicant token (with the person's session cookie); null when it gives none. */
export async function fetchToken(tokenUrl: string): Promise<string | null> {
  const response = await fetch(tokenUrl, { credentials: "include", cache: "no-store" });
  if (!response.ok) {
    return null;
  }
  const body = (await response.json()) as { token?: string };
  return body.token ?? null;
}

/** The application an applicant token opens ("applications/…", its "sub"), read without checking: the server checks. */
export function tokenApplication(token: string): string | null {
  try {
    const payload = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    const claims = JSON.parse(atob(payload + "=".repeat((4 - (payload.length % 4)) % 4))) as { sub?: string };
    return claims.sub?.startsWith("applications/") ? claims.sub : null;
  } catch {
    return null;
  }
}

// A rate-limited call is tried again this many times, each after the wait the server asks for.
const rateLimitRetries = 8;

export function connect(credential: Credential) {
  const authorize: Interceptor = (next) => async (request) => {
    // A streaming request's messages are read once per attempt: keep them, so a retry can send them again.
    const messages = request.stream ? await collect(request.message) : [];
    for (let attempt = 0; ; attempt++) {
      const value = credential.value();
      if (value) {
        request.header.set("authorization", `Bearer ${value}`);
      }
      try {
        return await next(request.stream ? { ...request, message: createAsyncIterable(messages) } : request);
      } catch (error) {
        const refused = ConnectError.from(error);
        const wait = retryDelayMs(refused);
        if (wait !== null && attempt < rateLimitRetries) {
          // At least what the server asks, plus a random share that doubles each attempt, so pages refused together spread out.
          const spread = wait * 2 ** Math.min(attempt + 1, 6) * Math.random();
          await new Promise((resolve) => setTimeout(resolve, Math.min(60_000, wait + spread)));
          continue;
        }
        if (refused.code === Code.Unauthenticated && attempt === 0 && (await credential.refresh())) {
          continue;
        }
        throw error;
      }
    }
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

async function collect<T>(messages: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const message of messages) {
    all.push(message);
  }
  return all;
}

/** The wait a RESOURCE_EXHAUSTED refusal's google.rpc.RetryInfo asks for, in milliseconds; null for any other refusal. */
export function retryDelayMs(error: ConnectError): number | null {
  if (error.code !== Code.ResourceExhausted) {
    return null;
  }
  for (const detail of error.details) {
    if ("type" in detail && detail.type === "google.rpc.RetryInfo") {
      // RetryInfo { Duration retry_delay = 1; }, Duration { int64 seconds = 1; int32 nanos = 2; }
      let seconds = 0;
      let nanos = 0;
      const info = new BinaryReader(detail.value);
      while (info.pos < info.len) {
        const [field, wireType] = info.tag();
        if (field !== 1) {
          info.skip(wireType);
          continue;
        }
        const duration = new BinaryReader(info.bytes());
        while (duration.pos < duration.len) {
          const [part, type] = duration.tag();
          if (part === 1) {
            seconds = Number(duration.int64());
          } else if (part === 2) {
            nanos = duration.int32();
          } else {
            duration.skip(type);
          }
        }
      }
      return Math.min(60_000, seconds * 1000 + nanos / 1e6);
    }
  }
  return null;
}

/** The one sentence to show a person: the server's own message for a refused call. */
export function sentence(error: unknown): string {
  const connectError = ConnectError.from(error);
  return connectError.rawMessage || connectError.message;
}
