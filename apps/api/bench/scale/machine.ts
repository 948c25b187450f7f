/** The machine a scale run measured on, for the JSON record. */
import { execFileSync } from "node:child_process";
import os from "node:os";

/**
 * @example
 * const json = { machine: describeMachine("postgres://postgres@127.0.0.1:5432/postgres") };
 */
export function describeMachine(postgresUrl: string) {
  let postgres: string | undefined;
  try {
    postgres = execFileSync("psql", [postgresUrl, "-Atc", "show server_version"], {
      encoding: "utf8",
      timeout: 5000,
    }).trim();
  } catch {
    postgres = undefined;
  }
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model,
    cores: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    postgres,
  };
}
