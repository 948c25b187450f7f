// A real SMTP server for the end-to-end run (one of Playwright's web servers): every message
// the API sends is parsed and written to E2E_INBOX_DIR as JSON, where the journeys read it.
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startSmtpSink } from "@hybrid-auth/test-smtp";

const port = Number(process.env.E2E_SMTP_PORT);
const inbox = process.env.E2E_INBOX_DIR;
if (!port || !inbox) throw new Error("E2E_SMTP_PORT and E2E_INBOX_DIR are required");
mkdirSync(inbox, { recursive: true });
let count = 0;
await startSmtpSink({
  port,
  onMessage(mail) {
    count += 1;
    const file = join(inbox, `${Date.now()}-${count}.json`);
    writeFileSync(`${file}.tmp`, JSON.stringify(mail));
    renameSync(`${file}.tmp`, file);
  },
});
console.log(`smtp inbox listening on 127.0.0.1:${port}, writing to ${inbox}`);
