import type { AuthPlugin } from "../plugins/plugin.js";
import { startSmtpSink, linkIn, type ReceivedMail, type SmtpSink } from "@hybrid-auth/test-smtp";
import {
  accountLifecycle,
  smtpMailer,
  type AccountLifecycleOptions,
} from "../plugins/account-lifecycle/index.js";
import { securityEvents } from "../plugins/security-events/index.js";
import type { AuthOptions } from "../options/auth-options.js";
import { createTestHost, type TestHost } from "./test-host.js";

export const PUBLIC_URL = "https://tidy.example";

export type LifecycleHost = TestHost & {
  smtp: SmtpSink;
  /** One round of the mail worker (deliveries happen only when a test asks). */
  deliver(): Promise<unknown>;
  /** The token of the newest mail to `address` whose link opens `page`. */
  tokenFrom(address: string, page: string): Promise<string>;
  mailTo(address: string): ReceivedMail[];
};

/**
 * The test host with the account-lifecycle plugin, mailing through a real SMTP server
 * (smtp-server, in process). Retries are 1 s apart so a test can step the clock past them.
 */
export async function createLifecycleHost(
  options: Partial<AccountLifecycleOptions> = {},
  hostOptions: Partial<Omit<AuthOptions, "db" | "clock" | "plugins">> = {},
  /** More plugins after the lifecycle plugin (the factor plugins, for their mail). */
  extraPlugins: readonly AuthPlugin[] = [],
): Promise<LifecycleHost> {
  const smtp = await startSmtpSink();
  const plugin = accountLifecycle({
    mailer: smtpMailer(smtp.url),
    from: "Tidy <no-reply@tidy.example>",
    publicUrl: PUBLIC_URL,
    productName: "Tidy",
    delivery: { retryBaseMs: 1000, retryMaxMs: 8000, maxAttempts: 5 },
    onDeliveryError: () => {},
    ...options,
  });
  const host = await createTestHost({
    ...hostOptions,
    plugins: [securityEvents(), plugin, ...extraPlugins],
  });
  const deliver = () => host.auth.workers.runOnce();
  const mailTo = (address: string) => smtp.to(address);
  const disposeHost = host.dispose;
  return Object.assign(host, {
    smtp,
    deliver,
    mailTo,
    async tokenFrom(address: string, page: string) {
      await deliver();
      const mails = mailTo(address).filter((mail) =>
        mail.text.includes(`${PUBLIC_URL}${page}?token=`),
      );
      const mail = mails.at(-1);
      if (!mail) throw new Error(`no ${page} mail to ${address}`);
      return new URL(linkIn(mail, `${PUBLIC_URL}${page}?token=`)).searchParams.get("token")!;
    },
    async dispose() {
      await disposeHost();
      await smtp.stop();
    },
  });
}
