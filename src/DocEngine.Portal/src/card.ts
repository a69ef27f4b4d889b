// One card per chosen file: upload progress, then what was received (type, pages, sizes), the page previews as they
// stream in, the signature verdict in plain words, and the receipt to download. Stable hooks for tests and scripts:
// input[type=file], img[data-page], [data-testid=progress|verdict|receipt|converted|searchable]. An office document's
// pages are those of the PDF it was converted to; a scan is made searchable while it is normalized.
import type { Clients } from "./client";
import { sentence } from "./client";
import type { Document } from "./gen/docengine/v1/documents_pb";
import { PreviewFormat } from "./gen/docengine/v1/previews_pb";
import { OutputFormat } from "./gen/docengine/v1/processing_pb";
import { formatBytes, UploadInterrupted, uploadFile, type UploadProgress } from "./upload";
import { otherMarks, verdictWords } from "./words";

/** Media types the service converts to PDF (Word, Excel, OpenDocument, RTF), as the upload detects them. */
const OFFICE_TYPES = new Set([
  "application/msword",
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  "application/vnd.oasis.opendocument.text",
  "application/rtf",
]);

export interface CardSettings {
  chunkBytes: number;
  targetBytes: number;
  previewWidth: number;
}

export class FileCard {
  readonly element: HTMLElement;
  private readonly bar: HTMLProgressElement;
  private readonly progressText: HTMLElement;
  private readonly facts: HTMLElement;
  private readonly verdict: HTMLElement;
  private readonly explanation: HTMLElement;
  private readonly pages: HTMLElement;
  private readonly previewStatus: HTMLElement;
  private readonly receipt: HTMLAnchorElement;
  private readonly receiptStatus: HTMLElement;
  private readonly retry: HTMLButtonElement;

  constructor(private readonly file: File) {
    const id = `file-${crypto.randomUUID()}`;
    this.element = el("article", { class: "file", "data-file": file.name, "aria-labelledby": `${id}-title` });
    const title = el("h2", { id: `${id}-title` }, file.name);
    const progress = el("div", { class: "progress", "data-testid": "progress" });
    this.bar = el("progress", { max: String(Math.max(file.size, 1)), value: "0", "aria-labelledby": `${id}-title` });
    this.progressText = el("span", { class: "progress-text", role: "status" }, "Waiting to send…");
    this.retry = el("button", { type: "button", hidden: "" }, "Continue the upload");
    progress.append(this.bar, this.progressText, this.retry);
    this.facts = el("dl", { class: "facts" });
    const signature = el("section", { class: "signature", "aria-label": "Digital signature" });
    this.verdict = el("p", { class: "verdict", "data-testid": "verdict", role: "status" }, "Checking signatures after the upload…");
    this.explanation = el("div", { class: "explanation" });
    signature.append(el("h3", {}, "Digital signature"), this.verdict, this.explanation);
    const previews = el("section", { class: "previews", "aria-label": "Page previews" });
    this.previewStatus = el("p", { class: "status", role: "status" }, "The pages appear here after the upload.");
    this.pages = el("div", { class: "pages" });
    previews.append(el("h3", {}, "What was received"), this.previewStatus, this.pages);
    const receipt = el("section", { class: "receipt", "aria-label": "Receipt" });
    this.receipt = el("a", { "data-testid": "receipt", class: "button", hidden: "" }, "Download receipt");
    this.receiptStatus = el("p", { class: "status", role: "status" }, "A signed receipt is issued once the file is stored.");
    receipt.append(el("h3", {}, "Receipt"), this.receiptStatus, this.receipt);
    this.element.append(title, progress, this.facts, previews, signature, receipt);
  }

  /** Uploads the file, then shows everything about it; never throws (every failure becomes a sentence). */
  async run(clients: Clients, application: string, settings: CardSettings): Promise<void> {
    this.retry.hidden = true;
    let document: Document;
    try {
      document = await uploadFile(clients, this.file, application, settings.chunkBytes, (p) => this.showProgress(p));
    } catch (error) {
      this.progressText.textContent = error instanceof UploadInterrupted ? error.message : sentence(error);
      this.element.dataset.state = "interrupted";
      this.retry.hidden = false;
      this.retry.onclick = () => void this.run(clients, application, settings);
      return;
    }
    this.element.dataset.state = "uploaded";
    this.element.dataset.document = document.name;
    this.progressText.textContent = `Received: ${formatBytes(Number(document.sizeBytes))}, SHA-256 ${document.sha256.slice(0, 16)}…`;
    // An office document has no pages of its own to draw: its previews are those of the PDF it becomes.
    const processed = this.showFacts(clients, document, settings.targetBytes);
    const office = OFFICE_TYPES.has(document.mediaType);
    await Promise.all([
      processed,
      office
        ? processed.then((rendition) => (rendition ? this.showPreviews(clients, rendition, document.filename, settings.previewWidth) : undefined))
        : this.showPreviews(clients, document.name, document.filename, settings.previewWidth),
      this.showSignatures(clients, document),
      this.showReceipt(clients, document),
    ]);
    this.element.dataset.state = "done";
  }

  private showProgress(progress: UploadProgress): void {
    this.bar.value = progress.committed;
    const percent = progress.total === 0 ? 100 : Math.floor((progress.committed * 100) / progress.total);
    const resumed = progress.resumedFrom !== null && progress.resumedFrom > 0 ? ` · resumed from ${formatBytes(progress.resumedFrom)}` : "";
    this.progressText.textContent =
      progress.note ?? `${percent}% · ${formatBytes(progress.committed)} of ${formatBytes(progress.total)}${resumed}`;
    if (progress.resumedFrom !== null) {
      this.element.dataset.resumedFrom = String(progress.resumedFrom);
    }
  }

  /** The facts, then the normalized rendition (converted, made searchable when it is a scan); its name, or null. */
  private async showFacts(clients: Clients, document: Document, targetBytes: number): Promise<string | null> {
    this.fact("Received", formatBytes(Number(document.sizeBytes)));
    let scan = document.mediaType.startsWith("image/");
    try {
      const { info } = await clients.processing.inspectDocument({ name: document.name });
      this.fact("Type", info?.description || document.mediaType, "type");
      if (info?.nameMismatch) {
        this.fact("Note", info.nameMismatch);
      }
      scan ||= !!info?.pdf && info.pdf.pagesCheckedForText > 0 && info.pdf.textLayerPages < info.pdf.pagesCheckedForText;
      const pages = info?.pdf?.pages ?? info?.image?.frames ?? 0;
      if (pages > 0) {
        this.fact("Pages", String(pages), "pages");
      }
    } catch (error) {
      this.fact("Type", sentence(error), "type");
    }
    const normalized = this.fact("After normalization", "Working…", "normalized");
    try {
      const { rendition } = await clients.processing.processDocument({
        documents: [document.name],
        options: { format: OutputFormat.KEEP, maxBytes: BigInt(targetBytes), ocr: scan },
      });
      const report = rendition!.report!;
      const change = `${formatBytes(Number(report.bytesBefore))} → ${formatBytes(Number(report.bytesAfter))}`;
      normalized.replaceChildren(el("strong", {}, change), ...[...report.actions, ...report.warnings].map((line) => el("span", { class: "note" }, line)));
      if (report.convertedFrom) {
        this.fact("Converted", `Converted from ${report.convertedFrom}`, "converted");
      }
      if ((report.textLayerPages ?? 0) > 0) {
        this.fact("Text", "Searchable text added", "searchable");
      }
      return rendition!.name;
    } catch (error) {
      normalized.textContent = sentence(error);
      if (OFFICE_TYPES.has(document.mediaType)) {
        this.previewStatus.textContent = sentence(error);
      }
      return null;
    }
  }

  private async showPreviews(clients: Clients, name: string, filename: string, width: number): Promise<void> {
    this.previewStatus.textContent = "Drawing the pages…";
    let expected = 0;
    let shown = 0;
    try {
      for await (const message of clients.previews.renderPreviews({ name, width })) {
        if (message.kind.case === "summary") {
          expected = message.kind.value.pages.length;
          const warnings = message.kind.value.warnings.join(" ");
          const count = message.kind.value.pageCount;
          this.previewStatus.textContent = `${count === 1 ? "1 page" : `${count} pages`}.${warnings ? " " + warnings : ""}`;
        } else if (message.kind.case === "page") {
          const page = message.kind.value;
          const type = page.format === PreviewFormat.JPEG ? "image/jpeg" : page.format === PreviewFormat.WEBP ? "image/webp" : "image/png";
          const image = el("img", {
            "data-page": String(page.pageNumber),
            alt: `Page ${page.pageNumber} of ${filename}, as received`,
            width: String(page.width),
            height: String(page.height),
            src: URL.createObjectURL(new Blob([page.data as Uint8Array<ArrayBuffer>], { type })),
          });
          const figure = el("figure", {}, image, el("figcaption", {}, `Page ${page.pageNumber}`));
          this.pages.append(figure);
          shown++;
        }
      }
      this.element.dataset.previews = String(shown);
      if (shown < expected) {
        this.previewStatus.textContent += ` Only ${shown} of ${expected} pages arrived.`;
      }
    } catch (error) {
      this.previewStatus.textContent = sentence(error);
    }
  }

  private async showSignatures(clients: Clients, document: Document): Promise<void> {
    if (document.mediaType !== "application/pdf") {
      this.verdict.textContent = "No digital signature: only PDF documents carry one; this file is not a PDF.";
      this.verdict.dataset.verdict = "NOT_APPLICABLE";
      return;
    }
    try {
      const { report } = await clients.signatures.verifySignatures({ name: document.name });
      const words = verdictWords(report!);
      this.verdict.textContent = words.headline;
      this.verdict.classList.add(`tone-${words.tone}`);
      this.verdict.dataset.verdict = String(report!.verdict);
      this.explanation.replaceChildren(
        el("p", {}, report!.explanation),
        ...report!.signatures.map((check) =>
          el("p", { class: "signer" }, `Signed by ${check.signerName || check.signer?.subject || "an unknown signer"}` +
            (check.signingTime ? ` on ${new Date(Number(check.signingTime.seconds) * 1000).toUTCString()}` : "") + ".")),
        ...otherMarks(report!).map((text) => el("p", {}, text)),
      );
    } catch (error) {
      this.verdict.textContent = sentence(error);
      this.verdict.dataset.verdict = "ERROR";
    }
  }

  private async showReceipt(clients: Clients, document: Document): Promise<void> {
    try {
      const { receipt } = await clients.receipts.getReceipt({ name: document.name });
      const blob = new Blob([receipt!.jws + "\n"], { type: "application/jose" });
      this.receipt.href = URL.createObjectURL(blob);
      this.receipt.download = `${document.filename}.receipt.jws`;
      this.receipt.hidden = false;
      this.receiptStatus.textContent =
        `Receipt ${receipt!.sequence} of this application, signed by key ${receipt!.keyId.slice(0, 12)}…: keep it as proof of what was received.`;
    } catch (error) {
      this.receiptStatus.textContent = sentence(error);
    }
  }

  private fact(term: string, value: string, testId?: string): HTMLElement {
    const dd = el("dd", testId ? { "data-testid": testId } : {}, value);
    this.facts.append(el("dt", {}, term), dd);
    return dd;
  }
}

/** Creates an element with attributes and children (text or nodes). */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string>,
  ...children: (string | Node)[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    element.setAttribute(name, value);
  }
  element.append(...children);
  return element;
}
