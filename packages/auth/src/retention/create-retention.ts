import { AuthConfigError } from "../options/config-error.js";
import type { AuthOptions } from "../options/auth-options.js";
import type { RetentionTask } from "./retention.js";
import { RETENTION_DEFAULTS, RetentionJob } from "./retention.js";
import type { AuthRuntime } from "../runtime.js";
import { coreRetentionTasks } from "./core-tasks.js";

const TASK_NAME = /^[a-z][a-z0-9-]{0,39}$/;

/** `auth.retention`: the data-retention job of one `createAuth`. */
export type AuthRetention = Pick<
  RetentionJob,
  "runOnce" | "start" | "stop" | "started" | "taskNames"
>;

/** A plugin's tasks, named `<plugin id>/<task name>`; bad or repeated names are refused. */
export function pluginRetentionTasks(
  pluginId: string,
  tasks: readonly RetentionTask[],
): RetentionTask[] {
  const seen = new Set<string>();
  return tasks.map((task, index) => {
    const name: unknown = task?.name;
    if (typeof name !== "string" || !TASK_NAME.test(name) || seen.has(name)) {
      throw new AuthConfigError(
        `plugins.${pluginId}.retention[${index}].name`,
        "must be unique, lower-case letters, digits and `-`",
      );
    }
    if (typeof task.prune !== "function") {
      throw new AuthConfigError(
        `plugins.${pluginId}.retention[${index}].prune`,
        "must be a function",
      );
    }
    seen.add(name);
    return { name: `${pluginId}/${name}`, prune: (batch) => task.prune(batch) };
  });
}

/**
 * The retention job of a `createAuth`: the core's tasks, then the plugins', over the
 * runtime's database and clock; started at once unless `retention.autoStart` is false.
 *
 * @example
 * const retention = createRetention(options, runtime, pluginTasks);
 * await retention.runOnce();
 */
export function createRetention(
  options: Pick<AuthOptions, "retention" | "tablePrefix">,
  runtime: AuthRuntime,
  pluginTasks: readonly RetentionTask[],
): RetentionJob {
  const retention = options.retention ?? {};
  const graceSeconds =
    retention.deadSessionGraceSeconds ?? RETENTION_DEFAULTS.deadSessionGraceSeconds;
  const tasks = [
    ...coreRetentionTasks(
      runtime.tables,
      runtime.lifetimes,
      runtime.accessTtlSeconds * 1000,
      graceSeconds * 1000,
    ),
    ...pluginTasks,
  ];
  const job = new RetentionJob(runtime.db, tasks, runtime.clock, {
    ...retention,
    // One lock per schema: two hosts with their own table prefixes never wait for each other.
    lockName: `hybrid-auth-retention:${options.tablePrefix ?? ""}`,
  });
  if (retention.autoStart ?? RETENTION_DEFAULTS.autoStart) job.start();
  return job;
}
