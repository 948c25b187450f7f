import { AuthConfigError } from "../options/config-error.js";
import {
  MAX_RETENTION_BATCH_SIZE,
  MIN_DEAD_SESSION_GRACE_SECONDS,
  type RetentionOptions,
} from "./retention.js";

const KNOWN: readonly (keyof RetentionOptions)[] = [
  "autoStart",
  "intervalSeconds",
  "batchSize",
  "deadSessionGraceSeconds",
  "onError",
];

function checkInteger(key: string, value: unknown, min: number, max: number, why = ""): void {
  if (value === undefined) return;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new AuthConfigError(
      `retention.${key}`,
      `must be an integer from ${min} to ${max}${why} (got ${String(value)})`,
    );
  }
}

/**
 * Checks the `retention` option of `createAuth` when it is called, naming the field at fault.
 *
 * @example
 * checkRetentionOptions({ intervalSeconds: 0 }); // AuthConfigError: retention.intervalSeconds …
 */
export function checkRetentionOptions(options: unknown): void {
  if (options === undefined) return;
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new AuthConfigError("retention", "must be an object (see RetentionOptions)");
  }
  const retention = options as Record<string, unknown>;
  for (const key of Object.keys(retention)) {
    if (!(KNOWN as string[]).includes(key)) {
      throw new AuthConfigError(
        `retention.${key}`,
        `is not an option (known: ${KNOWN.join(", ")})`,
      );
    }
  }
  if (retention["autoStart"] !== undefined && typeof retention["autoStart"] !== "boolean") {
    throw new AuthConfigError("retention.autoStart", "must be a boolean");
  }
  checkInteger("intervalSeconds", retention["intervalSeconds"], 1, 7 * 24 * 60 * 60);
  checkInteger("batchSize", retention["batchSize"], 1, MAX_RETENTION_BATCH_SIZE);
  checkInteger(
    "deadSessionGraceSeconds",
    retention["deadSessionGraceSeconds"],
    MIN_DEAD_SESSION_GRACE_SECONDS,
    365 * 24 * 60 * 60,
    " (a shorter grace could race a reissue that is rotating the session's token)",
  );
  if (retention["onError"] !== undefined && typeof retention["onError"] !== "function") {
    throw new AuthConfigError("retention.onError", "must be a function");
  }
}
