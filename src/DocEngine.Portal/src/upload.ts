// Resumable uploads over gRPC-Web (browsers cannot stream from the client): CreateUploadSession, then
// AppendUploadChunk at the durable offset, then CompleteUpload. The session is remembered per file (name, size,
// last-modified time) in localStorage, so choosing the same file again, after a reload or a lost connection,
// continues from the server's committed offset instead of starting over.
import { Code, ConnectError } from "@connectrpc/connect";
import type { Document } from "./gen/docengine/v1/documents_pb";
import { UploadState, type UploadSession } from "./gen/docengine/v1/uploads_pb";
import type { Clients } from "./client";

export interface UploadProgress {
  /** Bytes the server has made durable. */
  committed: number;
  total: number;
  /** Where this attempt started when it continued an earlier one; null for a fresh upload. */
  resumedFrom: number | null;
  /** A line about the connection, when it is not simply sending. */
  note: string | null;
}

/** The upload stopped; choosing the same file again continues from `committed`. */
export class UploadInterrupted extends Error {
  constructor(message: string, readonly committed: number) {
    super(message);
  }
}

// Files up to this size are hashed in the page too, so CompleteUpload can refuse a file that changed while sending.
const hashLimitBytes = 256 << 20;
// A lost connection is retried this many times, waiting longer each time, before the page asks the person.
const retryDelaysMs = [250, 500, 1000, 2000];
const retryable = new Set([Code.Unavailable, Code.Unknown, Code.DeadlineExceeded, Code.Aborted, Code.Canceled]);

const storageKey = (file: File) => `docengine.upload:${file.name}:${file.size}:${file.lastModified}`;

export async function uploadFile(
  clients: Clients,
  file: File,
  application: string,
  chunkBytes: number,
  onProgress: (progress: UploadProgress) => void,
): Promise<Document> {
  const total = file.size;
  const earlier = await findEarlierSession(clients, file);
  if (earlier?.state === UploadState.COMPLETED && earlier.document) {
    onProgress({ committed: total, total, resumedFrom: total, note: "Already received earlier." });
    localStorage.removeItem(storageKey(file));
    const { document } = await clients.documents.getDocument({ name: earlier.document });
    return document!;
  }
  let session: UploadSession;
  let resumedFrom: number | null = null;
  if (earlier?.state === UploadState.OPEN) {
    session = earlier;
    resumedFrom = Number(earlier.committedOffset);
  } else {
    const created = await clients.uploads.createUploadSession({
      metadata: { application, filename: file.name, mediaType: file.type, sizeBytes: BigInt(total) },
    });
    session = created.session!;
    localStorage.setItem(storageKey(file), session.name);
  }

  let offset = Number(session.committedOffset);
  onProgress({ committed: offset, total, resumedFrom, note: null });
  while (offset < total) {
    const data = new Uint8Array(await file.slice(offset, offset + chunkBytes).arrayBuffer());
    const sent = offset;
    offset = await withRetries(
      async () => {
        try {
          const reply = await clients.uploads.appendUploadChunk({ name: session.name, offset: BigInt(sent), data });
          return Number(reply.committedOffset);
        } catch (error) {
          // A retry whose first answer was lost: the server holds more (or less) than we think; continue from there.
          if (ConnectError.from(error).code === Code.FailedPrecondition) {
            const { session: current } = await clients.uploads.getUploadStatus({ name: session.name });
            if (current?.state === UploadState.OPEN) {
              return Number(current.committedOffset);
            }
          }
          throw error;
        }
      },
      offset,
      (note) => onProgress({ committed: sent, total, resumedFrom, note }),
    );
    onProgress({ committed: offset, total, resumedFrom, note: null });
  }
  const sha256 = total <= hashLimitBytes && crypto.subtle ? await sha256Hex(file) : "";
  const completed = await withRetries(
    () => clients.uploads.completeUpload({ name: session.name, sha256 }),
    offset,
    (note) => onProgress({ committed: offset, total, resumedFrom, note }),
  );
  localStorage.removeItem(storageKey(file));
  return completed.document!;
}

async function findEarlierSession(clients: Clients, file: File): Promise<UploadSession | null> {
  const name = localStorage.getItem(storageKey(file));
  if (!name) {
    return null;
  }
  try {
    const { session } = await clients.uploads.getUploadStatus({ name });
    return session ?? null;
  } catch {
    // Expired, cancelled and collected, or from another server: start afresh.
    localStorage.removeItem(storageKey(file));
    return null;
  }
}

async function withRetries<T>(call: () => Promise<T>, committed: number, onNote: (note: string) => void): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      const code = ConnectError.from(error).code;
      if (!retryable.has(code)) {
        throw error;
      }
      if (attempt >= retryDelaysMs.length) {
        throw new UploadInterrupted(
          `The connection was lost after ${formatBytes(committed)}. Choose the same file again, even after reloading the page, to continue from there.`,
          committed,
        );
      }
      onNote(`Connection lost; trying again (${attempt + 1} of ${retryDelaysMs.length})…`);
      await new Promise((resolve) => setTimeout(resolve, retryDelaysMs[attempt]));
    }
  }
}

async function sha256Hex(file: File): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", await file.arrayBuffer()));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

export function formatBytes(bytes: number): string {
  if (bytes < 1000) {
    return `${bytes} bytes`;
  }
  const units = ["kB", "MB", "GB"];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 2 : 1)} ${units[unit]}`;
}
