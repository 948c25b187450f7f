/** A message the sink accepted, parsed. */
export type ReceivedMail = {
  raw: string;
  envelopeFrom: string;
  envelopeTo: string[];
  to: string[];
  from: string;
  subject: string;
  text: string;
  html: string;
  messageId: string;
  headers: Record<string, string>;
};

export type SmtpSinkOptions = {
  /** Default: any free port. */
  port?: number;
  onMessage?: (mail: ReceivedMail) => void;
};

export type SmtpSink = {
  port: number;
  /** `smtp://user:pass@127.0.0.1:<port>` */
  url: string;
  messages: ReceivedMail[];
  /** Every DATA command seen, refused ones included. */
  readonly attempts: number;
  to(address: string): ReceivedMail[];
  waitFor(predicate: (mail: ReceivedMail) => boolean, timeoutMs?: number): Promise<ReceivedMail>;
  /** Refuse every message with 421 until `up()`. */
  down(): void;
  up(): void;
  stop(): Promise<void>;
};

export function startSmtpSink(options?: SmtpSinkOptions): Promise<SmtpSink>;
export function linkIn(mail: ReceivedMail, prefix: string): string;
