import { startSmtpSink, type SmtpSink } from "@hybrid-auth/test-smtp";

export type BenchMailSink = {
  /** The servers' `SMTP_URL`. */
  env: { SMTP_URL: string };
  /**
   * Resolves once `count` messages have arrived and none for a second: the outbox is empty,
   * so nothing is delivered or retried while a variant is measured.
   */
  delivered(count: number): Promise<void>;
  stop(): Promise<void>;
};

/**
 * A real SMTP server (the tests' `@hybrid-auth/test-smtp`) for the bench's servers. Each
 * sign-up queues a verification mail. Sent to a port that refuses them, the outbox retried
 * each one after 30 s, 1 min, 2 min…: 1 000 failed SMTP connections at a time, landing in
 * whatever variant was being measured (the floor has no outbox). Delivered during the sign-ups,
 * they cost nothing afterwards.
 *
 * @example
 * const mail = await startBenchMailSink();
 * const server = await startServer({ ...SERVER_ENV, ...mail.env });
 * await signUpMany(server.url, 1000, "bench");
 * await mail.delivered(1000);
 */
export async function startBenchMailSink(): Promise<BenchMailSink> {
  const sink: SmtpSink = await startSmtpSink();
  return {
    env: { SMTP_URL: sink.url },
    async delivered(count) {
      const deadline = Date.now() + 10 * 60_000;
      let seen = -1;
      for (;;) {
        const now = sink.messages.length;
        if (now >= count && now === seen) return;
        if (Date.now() > deadline) {
          throw new Error(`the outbox delivered ${now} of ${count} mails in 10 minutes`);
        }
        seen = now;
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    },
    stop: () => sink.stop(),
  };
}
