import type { LaunchOptions } from "@playwright/test";

/**
 * Debian's Chromium (never a downloaded browser), with the switches that keep it from calling
 * home: this machine's network is closed, and refused background connections only add noise.
 */
export const chromiumLaunchOptions: LaunchOptions = {
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
  ],
};
