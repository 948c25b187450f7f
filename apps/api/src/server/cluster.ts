import cluster, { type Worker } from "node:cluster";

export type PrimaryOptions = {
  /** How many worker processes to fork; they share the listening port. */
  workers: number;
  /** Runs once before forking (migrations), so workers never race on the schema. */
  prepare?: () => Promise<void>;
  log?: (message: string) => void;
  /** Workers that exit this many times in a row without ever listening stop the cluster. */
  maxStartFailures?: number;
  /** How long shutdown waits for workers to finish before killing them. */
  shutdownTimeoutMs?: number;
};

/**
 * The node:cluster primary: forks the workers (each one a full API process with its own
 * database pool and revocation listener), replaces a worker that dies unexpectedly, and on
 * SIGTERM/SIGINT passes SIGTERM on to every worker and exits once they are gone.
 * It serves no requests and holds no database connection after `prepare`.
 */
export async function runPrimary(options: PrimaryOptions): Promise<void> {
  const log = options.log ?? ((message: string) => console.log(message));
  const maxStartFailures = options.maxStartFailures ?? 5;
  const shutdownTimeoutMs = options.shutdownTimeoutMs ?? 10_000;
  await options.prepare?.();

  const listened = new WeakSet<Worker>();
  let startFailures = 0;
  let shuttingDown = false;
  let exitCode = 0;

  const fork = () => {
    const worker = cluster.fork();
    worker.once("listening", () => {
      listened.add(worker);
      startFailures = 0;
    });
  };

  const liveWorkers = () => Object.values(cluster.workers ?? {}).filter((w) => w !== undefined);

  const shutdown = (code: number) => {
    exitCode = Math.max(exitCode, code);
    if (shuttingDown) return;
    shuttingDown = true;
    const workers = liveWorkers();
    if (workers.length === 0) process.exit(exitCode);
    for (const worker of workers) worker.process.kill("SIGTERM");
    setTimeout(() => {
      for (const worker of liveWorkers()) worker.process.kill("SIGKILL");
      process.exit(exitCode);
    }, shutdownTimeoutMs).unref();
  };

  cluster.on("exit", (worker, code, signal) => {
    if (shuttingDown) {
      if (liveWorkers().length === 0) process.exit(exitCode);
      return;
    }
    const how = signal ? `signal ${signal}` : `code ${code}`;
    if (!listened.has(worker)) {
      startFailures += 1;
      if (startFailures >= maxStartFailures) {
        log(
          `worker ${worker.process.pid} failed to start (${how}), ${startFailures} times in a row: stopping`,
        );
        shutdown(1);
        return;
      }
    }
    // Back off while workers keep failing at start (database down, bad configuration…).
    const delayMs = startFailures === 0 ? 0 : Math.min(10_000, 500 * 2 ** (startFailures - 1));
    log(`worker ${worker.process.pid} exited unexpectedly (${how}); starting a replacement`);
    setTimeout(() => {
      if (!shuttingDown) fork();
    }, delayMs);
  });

  process.once("SIGTERM", () => shutdown(0));
  process.once("SIGINT", () => shutdown(0));
  log(`primary ${process.pid}: starting ${options.workers} worker processes`);
  for (let i = 0; i < options.workers; i += 1) fork();
}
