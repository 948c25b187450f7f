import { securityEvents, type RetentionOptions } from "@hybrid-auth/auth";
import type { RetentionConfig } from "./config.js";

/**
 * The auth plugins of the to-do app: the same list for migrating and for serving (what the
 * security-events plugin keeps changes no table, so migrating needs no configuration).
 */
export function appAuthPlugins(retention?: RetentionConfig) {
  return [
    securityEvents(
      retention
        ? {
            retentionDays: retention.securityEventsDays,
            maxEventsPerAccount: retention.securityEventsPerAccount,
          }
        : {},
    ),
  ] as const;
}

export const APP_AUTH_PLUGINS = appAuthPlugins();

/**
 * The retention job's options for `createAuth`. The app never starts it itself: the server
 * (`index.ts`) does, so tests and scripts that build the app run no timer.
 */
export function appRetentionOptions(
  retention: RetentionConfig | undefined,
  logError: ((error: unknown) => void) | undefined,
): RetentionOptions {
  return {
    autoStart: false,
    ...(retention ? { batchSize: retention.batchSize } : {}),
    ...(retention && retention.intervalSeconds > 0
      ? { intervalSeconds: retention.intervalSeconds }
      : {}),
    ...(logError ? { onError: (error: unknown) => logError(error) } : {}),
  };
}
