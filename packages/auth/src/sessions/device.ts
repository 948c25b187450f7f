import { UAParser } from "ua-parser-js";

export type Device = { browser: string | null; os: string | null; type: string; label: string };

/** A human description of a user agent: "Firefox 131 on Windows 10". */
export function describeDevice(userAgent: string | null): Device {
  const parsed = new UAParser(userAgent ?? "").getResult();
  const browser = parsed.browser.name
    ? [parsed.browser.name, parsed.browser.major].filter(Boolean).join(" ")
    : null;
  const os = parsed.os.name ? [parsed.os.name, parsed.os.version].filter(Boolean).join(" ") : null;
  const type = parsed.device.type ?? "desktop";
  const label = browser && os ? `${browser} on ${os}` : (browser ?? os ?? "Unknown device");
  return { browser, os, type, label };
}
