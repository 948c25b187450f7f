import { chromiumLaunchOptions } from "../../../../e2e/chromium";

/**
 * The browser the audit drives: the e2e suite's (Debian's Chromium, `CHROMIUM_PATH` to
 * override, never a downloaded one) with the same switches that keep it from calling home.
 */
export const launchOptions = { ...chromiumLaunchOptions, headless: true };

export const chromiumPath = chromiumLaunchOptions.executablePath ?? "/usr/bin/chromium";
