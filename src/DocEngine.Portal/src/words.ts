// Plain words for what the service reports, for the applicant reading the page.
import { MarkKind, Verdict, type SignatureReport } from "./gen/docengine/v1/signatures_pb";

export interface VerdictWords {
  /** One line, starting with a symbol so the verdict never rests on colour alone. */
  headline: string;
  /** The CSS class giving it its colour. */
  tone: "good" | "warn" | "bad" | "none";
}

export function verdictWords(report: SignatureReport): VerdictWords {
  const count = report.signatures.length;
  const signatures = count === 1 ? "1 digital signature" : `${count} digital signatures`;
  switch (report.verdict) {
    case Verdict.VALID:
      return { headline: `✓ Valid: ${signatures}, intact and from a trusted signer.`, tone: "good" };
    case Verdict.VALID_UNTRUSTED:
      return { headline: `✓ Intact: ${signatures}, unchanged since signing; the signer is not on this service's trusted list.`, tone: "warn" };
    case Verdict.MODIFIED:
      return { headline: `⚠ Modified: ${signatures}, but the document was changed after signing in a way the signature does not allow.`, tone: "bad" };
    case Verdict.INVALID:
      return { headline: `✗ Invalid: a digital signature in this document is broken or cannot be checked.`, tone: "bad" };
    case Verdict.NOT_SIGNED:
      return { headline: "No digital signature: this document is not digitally signed.", tone: "none" };
    default:
      return { headline: "The signature check gave no verdict.", tone: "none" };
  }
}

const markWords: Record<MarkKind, string> = {
  [MarkKind.UNSPECIFIED]: "a mark",
  [MarkKind.TYPED_NAME]: "a typed name",
  [MarkKind.STAMP]: "a stamp",
  [MarkKind.INK]: "a drawn (ink) mark",
  [MarkKind.IMAGE_FIELD]: "a picture in a signature box",
};

/** Sentences about what looks like a signature but is not one. */
export function otherMarks(report: SignatureReport): string[] {
  return report.otherMarks.map((mark) => {
    const where = mark.page > 0 ? ` on page ${mark.page}` : "";
    const text = mark.text ? ` ("${mark.text}")` : "";
    return `Also found${where}: ${markWords[mark.kind]}${text}. It is not a digital signature.`;
  });
}
