import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

/** What the outbox keeps of a message while it waits: what the template rendered. */
export type SealedContent = { subject: string; text: string; html: string };

/**
 * AES-256-GCM over the rendered message, with the row's dedupe key as associated data (a
 * sealed message cannot be moved to another row). `keys[0]` seals; any key opens, so a
 * message queued before a secret rotation is still delivered after it.
 */
export class MessageSeal {
  constructor(private readonly keys: readonly Buffer[]) {
    if (keys.length === 0) throw new RangeError("MessageSeal needs at least one key");
  }

  seal(content: SealedContent, boundTo: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.keys[0]!, iv);
    cipher.setAAD(Buffer.from(boundTo));
    const body = Buffer.concat([cipher.update(JSON.stringify(content), "utf8"), cipher.final()]);
    return ["v1", iv, body, cipher.getAuthTag()]
      .map((part) => (typeof part === "string" ? part : part.toString("base64url")))
      .join(".");
  }

  /** The content, or `undefined` when no key opens it (tampered, or every key rotated out). */
  open(sealed: string, boundTo: string): SealedContent | undefined {
    const [version, iv, body, tag] = sealed.split(".");
    if (version !== "v1" || !iv || !body || !tag) return undefined;
    for (const key of this.keys) {
      try {
        const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
        decipher.setAAD(Buffer.from(boundTo));
        decipher.setAuthTag(Buffer.from(tag, "base64url"));
        const plain = Buffer.concat([
          decipher.update(Buffer.from(body, "base64url")),
          decipher.final(),
        ]);
        return JSON.parse(plain.toString("utf8")) as SealedContent;
      } catch {
        // Not this key: try the next.
      }
    }
    return undefined;
  }
}
